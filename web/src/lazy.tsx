/**
 * Components fetched with import() on first render: the pages and panels only signing needs
 * (wallet crypto, ML-KEM, the protobuf registry) stay out of the Network page's first download
 * (docs/web.md "Bundle").
 */
import { h, type ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  return function Lazy(props: P) {
    const [component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<string>();
    useEffect(() => {
      if (component !== undefined) return;
      let mounted = true;
      loading ??= load().then((c) => (loaded = c));
      loading.then(
        (c) => mounted && setComponent(() => c),
        (err: unknown) => {
          // A failed download (the node restarted with a new build) may be tried again.
          loading = undefined;
          if (mounted) setError(err instanceof Error ? err.message : String(err));
        },
      );
      return () => {
        mounted = false;
      };
    }, []);
    if (error !== undefined) return <p role="alert" class="error">Could not load this part of the page: {error}</p>;
    if (component === undefined) return <p class="loading">Loading…</p>;
    return h(component, props);
  };
}
