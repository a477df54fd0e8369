// Sales against plan targets as an inline SVG: one bar per period of the chosen granularity and
// measure, each plan target of that measure drawn as a dashed mark at its due period; a disputed
// figure is hatched and says so. The numbers are also in the bars' text, so the chart reads without colour.
import type { Schemas } from "../api";
import { formatNumber, h } from "../dom";

type Sale = Schemas["SalesFigure"];
type Plan = Schemas["PlanItem"];
type Measure = "units" | "revenue";

const UNIT_METRICS = new Set(["units_produced", "units_sold", "units_delivered"]);

function amount(sale: Sale): number | null {
  if (sale.measure === "units") return sale.units ? sale.units.value : null;
  return sale.revenue ? Number(sale.revenue.amount) : null;
}

function planMeasure(plan: Plan): Measure | null {
  if (!plan.target || !plan.metric) return null;
  if (UNIT_METRICS.has(plan.metric)) return "units";
  return plan.metric === "revenue" ? "revenue" : null;
}

export function salesChart(sales: Sale[], plans: Plan[]): HTMLElement {
  const granularities = [...new Set(sales.map((s) => s.granularity))];
  const measures = [...new Set<Measure>([...sales.map((s) => s.measure), ...plans.flatMap((p) => planMeasure(p) ?? [])])];
  if (!measures.length) return h("p", { class: "empty" }, "No sales figures or plan targets at this read point.");
  const state = { granularity: granularities.includes("year") ? "year" : (granularities[0] ?? "year"), measure: measures[0] };
  const holder = h("div", { class: "chart" });
  const draw = () => holder.replaceChildren(svg(sales, plans, state.granularity, state.measure));
  const select = (id: string, label: string, values: string[], current: string, set: (v: string) => void) => {
    const element = h("select", { id }, values.map((v) => h("option", { value: v, selected: v === current }, v)));
    element.addEventListener("change", () => {
      set(element.value);
      draw();
    });
    return h("label", { for: id }, label, " ", element);
  };
  draw();
  return h(
    "div",
    {},
    h(
      "div",
      { class: "row" },
      granularities.length > 1 &&
        select("granularity", "Granularity", granularities, state.granularity, (v) => (state.granularity = v as Sale["granularity"])),
      measures.length > 1 && select("measure", "Measure", measures, state.measure, (v) => (state.measure = v as Measure)),
    ),
    holder,
  );
}

const NS = "http://www.w3.org/2000/svg";

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(sales: Sale[], plans: Plan[], granularity: string, measure: Measure): SVGElement {
  const bars = sales.filter((s) => s.granularity === granularity && s.measure === measure && s.product === null);
  const targets = plans.filter((p) => planMeasure(p) === measure);
  const periods = [...new Set([...bars.map((b) => b.period), ...targets.map((t) => t.due)])].sort();
  const values = [...bars.map((b) => amount(b) ?? 0), ...targets.map((t) => Number(t.target?.value ?? 0))];
  const top = Math.max(1, ...values) * 1.15;
  const width = Math.max(640, periods.length * 140);
  const height = 300;
  const base = height - 40;
  const scale = (v: number) => base - (v / top) * (base - 30);
  const slot = width / Math.max(1, periods.length);
  const currency = bars.find((b) => b.revenue)?.revenue?.currency ?? targets.find((t) => t.target?.currency)?.target?.currency ?? "";
  const unit = measure === "units" ? "units" : currency;
  const chart = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-labelledby": "chart-title",
    class: "sales-chart",
  });
  chart.append(el("title", { id: "chart-title" }, `Sales (${measure}, by ${granularity}) against plan targets`));
  const defs = el("defs", {});
  defs.append(hatch());
  chart.append(defs);
  chart.append(el("line", { x1: 0, y1: base, x2: width, y2: base, class: "axis" }));
  periods.forEach((period, index) => {
    const x = index * slot + slot / 2;
    chart.append(el("text", { x, y: base + 18, "text-anchor": "middle", class: "period" }, period));
    for (const bar of bars.filter((b) => b.period === period)) {
      const value = amount(bar) ?? 0;
      const group = el("g", { class: bar.disputed ? "bar disputed" : "bar" });
      group.append(
        el("title", {}, `${period}: ${formatNumber(value)} ${unit} (${bar.certainty}${bar.disputed ? ", disputed" : ""})`),
        el("rect", { x: x - slot / 4, y: scale(value), width: slot / 2, height: base - scale(value), fill: bar.disputed ? "url(#hatch)" : "" }),
        el("text", { x, y: scale(value) - 6, "text-anchor": "middle" }, `${formatNumber(value)}${bar.disputed ? " ⚠ disputed" : ""}`),
      );
      chart.append(group);
    }
    for (const plan of targets.filter((t) => t.due === period)) {
      const value = Number(plan.target?.value ?? 0);
      const group = el("g", { class: `target ${plan.status}` });
      group.append(
        el("title", {}, `Plan ${plan.plan_id}: ${formatNumber(value)} ${unit} by ${plan.due} (${plan.status})`),
        el("line", { x1: x - slot / 2.5, x2: x + slot / 2.5, y1: scale(value), y2: scale(value) }),
        el("text", { x, y: scale(value) - 6, "text-anchor": "middle" }, `plan ${formatNumber(value)}${plan.disputed ? " ⚠ disputed" : ""}`),
      );
      chart.append(group);
    }
  });
  chart.append(el("text", { x: 4, y: 14, class: "unit" }, unit));
  return chart;
}

function hatch(): SVGElement {
  const pattern = el("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pattern.append(el("rect", { width: 6, height: 6, class: "hatch-bg" }), el("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "hatch-line" }));
  return pattern;
}
