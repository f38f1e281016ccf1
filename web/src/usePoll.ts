/** Runs `read` now and every `ms` while the component is mounted; the latest answer or error. */
import { useEffect, useState } from "preact/hooks";

export function usePoll<T>(read: () => Promise<T>, ms: number, deps: unknown[] = []): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let live = true;
    const tick = () =>
      read().then(
        (data) => live && setState({ data }),
        (err: unknown) => live && setState((s) => ({ ...s, error: err instanceof Error ? err.message : String(err) })),
      );
    void tick();
    const timer = setInterval(tick, ms);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, deps);
  return state;
}
