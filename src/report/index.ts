/** Reports from the trading record: equity and drawdown, the figures, the HTML report. */
export * from './build.js';
export * from './equity.js';
export { type HtmlReportInput, renderHtmlReport } from './html.js';
export { type HtmlReportOptions, writeHtmlReport } from './html-file.js';
export {
  type EdgeAnswer,
  parseRecordQuery,
  type RecordQuery,
  type ReportAnswer,
  runRecordQuery,
  type SessionsAnswer,
} from './queries.js';
export {
  type FillEntry,
  type LedgerEntry,
  loadRecord,
  type RecordData,
  type RiskEntry,
  type Scope,
} from './record.js';
export { type RecordReader, recordView } from './record-view.js';
