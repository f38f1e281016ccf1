/** Base price per compute unit of each GPU tier against block height: a uPlot line per tier. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface PriceSeries {
  heights: number[];
  /** tier → base price (uogpu per unit) at each of `heights`; null where the tier had no price. */
  tiers: Map<number, (number | null)[]>;
}

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

interface ChartProps {
  series: PriceSeries;
  width: number;
  label?: string;
  xLabel?: string;
  yLabel?: string;
  seriesLabel?: (key: number) => string;
}

/** A uPlot line chart of keyed series over one x axis (by default: base price per tier over height). */
export function PriceChart({ series, width, label = "Base price per tier over block height", xLabel = "height", yLabel = "uogpu / unit", seriesLabel = (tier) => `tier ${tier}` }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const tiers = [...series.tiers.keys()].sort((a, b) => a - b);
  const shape = tiers.join(",");

  useEffect(() => {
    if (host.current === null) return;
    const opts: uPlot.Options = {
      width,
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: [{ label: xLabel }, ...tiers.map((tier, i) => ({ label: seriesLabel(tier), stroke: COLOURS[i % COLOURS.length], width: 2 }))],
    };
    plot.current = new uPlot(opts, [series.heights, ...tiers.map((t) => series.tiers.get(t) ?? [])], host.current);
    return () => plot.current?.destroy();
    // The plot is rebuilt when the tiers or the width change; new points only update its data.
  }, [shape, width]);

  useEffect(() => {
    plot.current?.setData([series.heights, ...tiers.map((t) => series.tiers.get(t) ?? [])]);
  }, [series, series.heights.length]);

  return <div ref={host} class="chart" role="img" aria-label={label} data-points={series.heights.length} />;
}
