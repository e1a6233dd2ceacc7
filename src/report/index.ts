/** Reports from the trading record: equity and drawdown, the HTML report. */
export * from './equity.js';
