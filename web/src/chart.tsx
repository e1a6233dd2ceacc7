/** Equity and drawdown charts (uPlot), fed from /api/equity. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  readonly times: readonly number[];
  readonly values: readonly number[];
}

export function LineChart(props: {
  title: string;
  series: Series;
  unit: string;
  color: string;
  testId: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { series, title, unit, color } = props;
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data: uPlot.AlignedData = [series.times.slice(), series.values.slice()];
    if (!plot.current) {
      plot.current = new uPlot(
        {
          title,
          width: Math.max(300, el.clientWidth),
          height: 180,
          // A single point (or a flat line) gets a window around it instead of uPlot's years.
          scales: {
            x: {
              time: true,
              range: (u) => {
                const xs = u.data[0];
                const lo = xs[0] ?? 0;
                const hi = xs[xs.length - 1] ?? lo;
                return lo === hi ? [lo - 60, hi + 60] : [lo, hi];
              },
            },
            y: { range: (_u, lo, hi) => (lo === hi ? [lo - 1, hi + 1] : [lo, hi]) },
          },
          axes: [{}, { label: unit, size: 70 }],
          series: [{}, { label: title, stroke: color, width: 2, fill: `${color}22` }],
          legend: { show: false },
        },
        data,
        el,
      );
    } else {
      plot.current.setData(data);
    }
  }, [series, title, unit, color]);
  useEffect(() => () => plot.current?.destroy(), []);
  return <div class="chart" data-testid={props.testId} ref={host} />;
}
