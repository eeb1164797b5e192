'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useTransition } from 'react';

const INTERVAL_MS = 4_000;

/** True while a form on the page waits for its server action: a refresh then would only queue up behind it. */
function actionPending(): boolean {
  return document.querySelector('button[type="submit"]:disabled, form[aria-busy="true"]') !== null;
}

/**
 * Re-renders the page's server components every few seconds while the tab is visible, so that changes
 * made elsewhere (the worker, the API, another tab) show without a reload. Client state — such as the
 * result message of a button — survives a refresh. Paused while the tab is hidden; refreshes at once
 * when it comes back.
 */
export function AutoRefresh({ intervalMs = INTERVAL_MS }: { intervalMs?: number }) {
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const refreshingRef = useRef(false);
  useEffect(() => {
    refreshingRef.current = refreshing;
  }, [refreshing]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const visible = () => document.visibilityState === 'visible';
    const refresh = () => {
      if (refreshingRef.current || actionPending()) return;
      startTransition(() => router.refresh());
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = visible() ? setTimeout(tick, intervalMs) : undefined;
    };
    const tick = () => {
      if (visible()) refresh();
      schedule();
    };
    const onVisibility = () => {
      if (visible()) refresh();
      schedule();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [router, intervalMs]);

  // Always rendered with the same text: polling never moves anything on the page.
  return (
    <p className="inline-flex items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400" title="This page updates by itself every few seconds while it is visible.">
      <span aria-hidden="true" className="size-2 rounded-full bg-emerald-500" />
      Updates live
    </p>
  );
}
