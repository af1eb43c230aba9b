// The parts of Apache ECharts the dashboard draws with, bundled into one file for the page
// (src/pouls/web/static/vendor/echarts-pouls.min.js): about 40 % smaller than the full
// dist/echarts.min.js, so a phone downloads and parses less. Rebuild with build.sh.
import * as echarts from "echarts/core";
import { BarChart, LineChart, MapChart, PieChart, ScatterChart } from "echarts/charts";
import {
  AriaComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  MapChart,
  PieChart,
  ScatterChart,
  AriaComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);
window.echarts = echarts; // what dashboard.js and the French locale file use
