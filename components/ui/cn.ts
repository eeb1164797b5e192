import { cx } from 'class-variance-authority';
import { twMerge } from 'tailwind-merge';

/** Joins class lists; a later Tailwind class wins over an earlier one of the same kind (`w-full` then `w-24` is `w-24`). */
export function cn(...inputs: Parameters<typeof cx>): string {
  return twMerge(cx(...inputs));
}
