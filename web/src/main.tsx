import { render } from 'preact';

render(<p>traderv3</p>, document.getElementById('app')!);
