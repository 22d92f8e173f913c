// Today's counts of one area beside its typical day (GET /api/crowds/areas/{id}/today), as an Apache ECharts line
// chart by 15 minutes, with the capacity as a line. Only the parts used are imported, as in hotspots/charts.js.
import * as echarts from "echarts/core";
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { t } from "../i18n.js";

echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

const TEXT = "#dfe6f0";
const AXIS = "#5a6d88";

/** One chart in el; render(day) draws an answer of /today, rerender() re-labels, drawn() says whether it has drawn. */
export function crowdChart(el) {
  const chart = echarts.init(el, null, { renderer: "canvas" });
  let last = null;

  function render(day) {
    last = day;
    const slots = (day?.today ?? []).map((_, i) => {
      const m = i * (day.slotMinutes ?? 15);
      return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: TEXT, fontSize: 10 }, data: [t("crowds.chart.today"), t("crowds.chart.typical")] },
      grid: { left: 40, right: 10, top: 24, bottom: 22 },
      xAxis: { type: "category", data: slots, axisLabel: { color: TEXT, fontSize: 9, interval: 11 }, axisLine: { lineStyle: { color: AXIS } } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: TEXT, fontSize: 9 }, splitLine: { lineStyle: { color: "#2a3a52" } } },
      series: [
        { name: t("crowds.chart.today"), type: "line", data: day?.today ?? [], itemStyle: { color: "#ff7f50" }, showSymbol: false, connectNulls: false,
          markLine: day?.capacity ? { symbol: "none", label: { color: TEXT, fontSize: 9, formatter: t("crowds.chart.capacity") },
            lineStyle: { color: "#d62728", type: "dashed" }, data: [{ yAxis: day.capacity }] } : undefined },
        { name: t("crowds.chart.typical"), type: "line", data: day?.typical ?? [], itemStyle: { color: "#8fb3e0" }, lineStyle: { type: "dashed" }, showSymbol: false },
      ],
    }, true);
  }

  return {
    render,
    rerender: () => last && render(last),
    resize: () => chart.resize(),
    drawn: () => Boolean(last) && !chart.isDisposed(),
  };
}
