// The explorer: client-side routing over /explore/*, the key field, the time control, the views.
import { ApiError, saveKey, savedKey } from "./api";
import { h } from "./dom";
import { timeControl, withPoint } from "./readpoint";
import { companyView } from "./views/company";
import { conflictsView } from "./views/conflicts";
import { graphView } from "./views/graph";
import { personView } from "./views/person";
import { searchView } from "./views/search";

const main = document.getElementById("main") as HTMLElement;
const controls = document.getElementById("controls") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;

function navigate(href: string): void {
  history.pushState(null, "", href);
  void render();
}

function view(path: string): Promise<HTMLElement> {
  const parts = path.replace(/\/+$/, "").split("/").slice(2).map(decodeURIComponent);
  if (parts[0] === "companies" && parts[1]) return companyView(parts[1]);
  if (parts[0] === "people" && parts[1]) return personView(parts[1]);
  if (parts[0] === "graph") return graphView(navigate);
  if (parts[0] === "conflicts") return conflictsView();
  return searchView(navigate);
}

function keyField(): HTMLElement {
  const input = h("input", { id: "api-key", type: "password", autocomplete: "off", value: savedKey() });
  const form = h(
    "form",
    { class: "key" },
    h("label", { for: "api-key" }, "API key (kept in this tab only)"),
    input,
    h("button", { type: "submit" }, "Use key"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveKey(input.value.trim());
    void render();
  });
  return form;
}

async function render(): Promise<void> {
  main.setAttribute("aria-busy", "true");
  nav.replaceChildren(
    ...[
      ["Search", "/explore/search"],
      ["Graph", "/explore/graph"],
      ["Conflicts", "/explore/conflicts"],
    ].map(([label, href]) => h("a", { href: withPoint(href), "data-route": true, "aria-current": location.pathname.startsWith(href) ? "page" : false }, label)),
  );
  try {
    controls.replaceChildren(keyField(), await timeControl(navigate));
    const content = await view(location.pathname);
    main.replaceChildren(content);
    document.title = `${content.querySelector("h1")?.textContent ?? "Explorer"} · Tidings`;
  } catch (error) {
    const message =
      error instanceof ApiError && error.status === 401
        ? "This server needs an API key: enter one above."
        : error instanceof Error
          ? error.message
          : String(error);
    if (!controls.childElementCount) controls.replaceChildren(keyField());
    main.replaceChildren(h("div", { role: "alert", class: "error" }, h("h1", {}, "Could not read"), h("p", {}, message)));
  } finally {
    main.removeAttribute("aria-busy");
    main.focus({ preventScroll: true });
  }
}

document.addEventListener("click", (event) => {
  const anchor = (event.target as Element).closest("a[data-route]");
  if (!anchor || event.defaultPrevented || (event as MouseEvent).ctrlKey || (event as MouseEvent).metaKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute("href") ?? "/explore");
});
window.addEventListener("popstate", () => void render());
void render();
