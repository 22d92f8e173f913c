// When incidents happen, as two Apache ECharts charts: the weekday × hour heat matrix (7 × 24 counts) and the
// monthly trend beside the same months a year earlier. Only the parts used are imported (core, heatmap, line,
// the grid/tooltip/visual-map/legend components, the canvas renderer), which keeps the bundle small.
import * as echarts from "echarts/core";
import { HeatmapChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, VisualMapContinuousComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { t } from "../i18n.js";

echarts.use([HeatmapChart, LineChart, GridComponent, LegendComponent, TooltipComponent, VisualMapContinuousComponent, CanvasRenderer]);

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]; // ISO, Monday first, as the server's rows
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const TEXT = "#dfe6f0";
const AXIS = "#5a6d88";

/** The 7 × 24 counts as rows of weekdays 1..7, whether the server sent rows or one flat list of 168. */
export function hourWeekdayRows(value) {
  if (!Array.isArray(value)) return WEEKDAYS.map(() => HOURS.map(() => 0));
  if (value.length === 168 && !Array.isArray(value[0])) return WEEKDAYS.map((_, d) => value.slice(d * 24, d * 24 + 24).map(Number));
  return WEEKDAYS.map((_, d) => HOURS.map((h) => Number(value[d]?.[h] ?? 0)));
}

/** Two charts in two elements; render(when) draws an answer of /api/hotspots/when, rerender() re-labels. */
export function createCharts(heatEl, monthsEl) {
  const heat = echarts.init(heatEl, null, { renderer: "canvas" });
  const months = echarts.init(monthsEl, null, { renderer: "canvas" });
  let last = null;

  function render(when) {
    last = when;
    const rows = hourWeekdayRows(when?.hourWeekday);
    const data = [];
    let max = 0;
    rows.forEach((row, d) =>
      row.forEach((n, h) => {
        data.push([h, d, n]);
        max = Math.max(max, n);
      }),
    );
    const dayNames = WEEKDAYS.map((d) => t(`hotspots.weekday.${d}`));
    heat.setOption(
      {
        animation: false,
        tooltip: {
          formatter: (p) => `${dayNames[p.value[1]]} ${t("hotspots.chart.hour", { hour: p.value[0] })}<br>${t("hotspots.chart.count")}: ${p.value[2]}`,
        },
        grid: { left: 30, right: 8, top: 6, bottom: 46 },
        xAxis: { type: "category", data: HOURS.map(String), splitArea: { show: true }, axisLabel: { color: TEXT, fontSize: 9, interval: 2 }, axisLine: { lineStyle: { color: AXIS } } },
        yAxis: { type: "category", data: dayNames, inverse: true, splitArea: { show: true }, axisLabel: { color: TEXT, fontSize: 10 }, axisLine: { lineStyle: { color: AXIS } } },
        visualMap: {
          min: 0,
          max: Math.max(1, max),
          calculable: false,
          orient: "horizontal",
          left: "center",
          bottom: 0,
          itemHeight: 120,
          itemWidth: 10,
          textStyle: { color: TEXT, fontSize: 9 },
          inRange: { color: ["#fff5eb", "#fdae6b", "#e6550d", "#7f2704"] },
        },
        series: [{ type: "heatmap", data, emphasis: { itemStyle: { borderColor: "#fff", borderWidth: 1 } } }],
      },
      true,
    );

    const list = Array.isArray(when?.months) ? when.months : [];
    months.setOption(
      {
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0, textStyle: { color: TEXT, fontSize: 10 }, data: [t("hotspots.chart.thisYear"), t("hotspots.chart.lastYear")] },
        grid: { left: 34, right: 10, top: 24, bottom: 22 },
        xAxis: { type: "category", data: list.map((m) => m.month), axisLabel: { color: TEXT, fontSize: 9 }, axisLine: { lineStyle: { color: AXIS } } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { color: TEXT, fontSize: 9 }, splitLine: { lineStyle: { color: "#2a3a52" } } },
        series: [
          { name: t("hotspots.chart.thisYear"), type: "line", data: list.map((m) => m.count ?? 0), itemStyle: { color: "#ff7f50" }, symbolSize: 4 },
          { name: t("hotspots.chart.lastYear"), type: "line", data: list.map((m) => m.lastYear ?? null), itemStyle: { color: "#8fb3e0" }, lineStyle: { type: "dashed" }, symbolSize: 3 },
        ],
      },
      true,
    );
  }

  return {
    render,
    rerender: () => last && render(last),
    resize() {
      heat.resize();
      months.resize();
    },
    /** Whether each chart has drawn (ECharts' canvas holds the picture; tests read its pixels). */
    drawn: () => ({ heat: Boolean(last) && !heat.isDisposed(), months: Boolean(last) && !months.isDisposed() }),
    dispose() {
      heat.dispose();
      months.dispose();
    },
  };
}
