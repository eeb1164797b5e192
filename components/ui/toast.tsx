'use client';

import { X } from 'lucide-react';
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type { Tone } from '@/lib/tone';
import { Notice } from './notice';

interface Toast {
  id: number;
  tone: Extract<Tone, 'ok' | 'bad'>;
  message: string;
}

const ToastContext = createContext<(tone: Toast['tone'], message: string) => void>(() => {});

/** Action results appear in one corner, announced politely; they stay until dismissed (no time limit to read them), three at most. */
export function Toaster({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (tone: Toast['tone'], message: string) => {
      const id = Date.now() + Math.random();
      setToasts((all) => [...all.slice(-2), { id, tone, message }]);
    },
    [],
  );
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div aria-live="polite" className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
        {toasts.map((t) => (
          <div key={t.id} data-testid="toast" className="pointer-events-auto w-full max-w-sm rounded-lg bg-white shadow-lg dark:bg-slate-900">
            <Notice
              tone={t.tone}
              actions={
                <button type="button" onClick={() => dismiss(t.id)} className="inline-flex items-center gap-1 text-xs underline focus-visible:outline-2 focus-visible:outline-blue-700">
                  <X aria-hidden="true" className="size-3" /> Dismiss
                </button>
              }
            >
              <p>{t.message}</p>
            </Notice>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
