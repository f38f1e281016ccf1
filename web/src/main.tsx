/**
 * The oGPU dashboard: Network, Provider and Customer pages over any node's REST API (the
 * settings box names it). Pages are chosen by the URL hash, so the node's /ui route serves
 * one index.html for everything.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { restBase, saveRestBase } from "./api";
import { lazyComponent } from "./lazy";
import { NetworkPage } from "./network";
import { WalletProvider } from "./wallet/context";
import { WalletPanel } from "./wallet/panel";
import "./style.css";

// The signing pages are fetched when first opened: the Network page's first load stays small.
const CustomerPage = lazyComponent(() => import("./customer").then((m) => m.CustomerPage));
const ProviderPage = lazyComponent(() => import("./provider").then((m) => m.ProviderPage));

const PAGES = { network: "Network", customer: "Customer", provider: "Provider" } as const;
type Page = keyof typeof PAGES;

function currentPage(): Page {
  const name = window.location.hash.replace(/^#\/?/, "");
  return name in PAGES ? (name as Page) : "network";
}

function Settings({ onSaved }: { onSaved: () => void }) {
  const [url, setUrl] = useState(restBase());
  return (
    <form
      class="settings"
      onSubmit={(e) => {
        e.preventDefault();
        saveRestBase(url);
        onSaved();
      }}
    >
      <label for="rest-url">Node REST URL</label>
      <input id="rest-url" type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      <button type="submit">Use</button>
    </form>
  );
}

function App() {
  const [page, setPage] = useState<Page>(currentPage());
  // Changing the node remounts the pages, so their polls start over against the new one.
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return (
    <>
      <header>
        <strong class="brand">oGPU</strong>
        <nav aria-label="Pages">
          {(Object.keys(PAGES) as Page[]).map((p) => (
            <a key={p} href={`#/${p}`} aria-current={p === page ? "page" : undefined}>{PAGES[p]}</a>
          ))}
        </nav>
        <Settings onSaved={() => setGeneration((g) => g + 1)} />
        <WalletPanel />
      </header>
      <main key={generation}>
        {page === "network" && <NetworkPage />}
        {page === "customer" && <CustomerPage />}
        {page === "provider" && <ProviderPage />}
      </main>
    </>
  );
}

render(
  <WalletProvider>
    <App />
  </WalletProvider>,
  document.getElementById("app")!,
);
