// Tailwind class sets shared by the app's forms, so that every button and input looks and focuses alike.
const BUTTON =
  'rounded-md px-3 py-1.5 text-sm font-semibold shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 disabled:opacity-60';
export const PRIMARY = `${BUTTON} bg-blue-700 text-white hover:bg-blue-800`;
export const SECONDARY = `${BUTTON} bg-white text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:hover:bg-slate-700`;
export const DANGER = `${BUTTON} bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 dark:bg-slate-800 dark:text-red-300 dark:ring-red-800 dark:hover:bg-slate-700`;
export const INPUT =
  'mt-1 block w-full rounded-md bg-white px-2 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus-visible:outline-2 focus-visible:outline-blue-700 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600';
export const LABEL = 'block text-sm font-medium text-slate-700 dark:text-slate-300';
