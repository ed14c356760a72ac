import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import { init, use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

// Only the pieces drawn here: a bar chart on a grid with tooltips, on canvas (ECharts' modular build).
use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export type DailyChartProps = {
  title: string;
  days: Array<{ date: string; count: number }>;
  color: string;
};

/** Counts per day as bars; the canvas is described for screen readers by its title and totals. */
export default function DailyChart(props: DailyChartProps) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return undefined;
    const chart = init(element.current, undefined, { renderer: "canvas" });
    chart.setOption({
      grid: { left: 32, right: 8, top: 16, bottom: 24 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: props.days.map((day) => day.date.slice(5)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: props.days.map((day) => day.count), itemStyle: { color: props.color } }],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [props.days, props.color]);
  const total = props.days.reduce((sum, day) => sum + day.count, 0);
  return <div ref={element} role="img" aria-label={`${props.title}: ${total}`} style={{ height: 220 }} />;
}
