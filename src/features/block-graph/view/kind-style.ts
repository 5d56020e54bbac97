// Colour, icon and name of each kind of node, shared by the cards, the minimap and the SVG export.
import type { NodeKind } from '../model/types.ts';

export interface KindStyle {
  label: string;
  icon: string;
  fill: string;
  stroke: string;
  /** Tailwind classes of the card (light and dark). */
  card: string;
  /**
   * Tailwind classes of the kind's name on its card: a darker shade than `stroke` in light mode
   * and a lighter one in dark mode, so the small label reads at 4.5:1 on the card's own colour.
   */
  text: string;
}

export const KIND_STYLE: Record<NodeKind, KindStyle> = {
  device: {
    label: 'device',
    icon: '▣',
    fill: '#eef2ff',
    stroke: '#4f46e5',
    card: 'border-indigo-500 bg-indigo-50 dark:bg-indigo-950',
    text: 'text-indigo-700 dark:text-indigo-300',
  },
  format: {
    label: 'format',
    icon: '▤',
    fill: '#ecfdf5',
    stroke: '#059669',
    card: 'border-emerald-600 bg-emerald-50 dark:bg-emerald-950',
    text: 'text-emerald-700 dark:text-emerald-300',
  },
  protocol: {
    label: 'protocol',
    icon: '▭',
    fill: '#f8fafc',
    stroke: '#475569',
    card: 'border-slate-500 bg-slate-50 dark:bg-slate-900',
    text: 'text-slate-600 dark:text-slate-300',
  },
  filter: {
    label: 'filter',
    icon: '▽',
    fill: '#fffbeb',
    stroke: '#d97706',
    card: 'border-amber-600 bg-amber-50 dark:bg-amber-950',
    text: 'text-amber-700 dark:text-amber-300',
  },
  job: {
    label: 'job',
    icon: '↻',
    fill: '#fdf2f8',
    stroke: '#db2777',
    card: 'border-pink-600 bg-pink-50 dark:bg-pink-950 border-dashed',
    text: 'text-pink-700 dark:text-pink-300',
  },
  export: {
    label: 'export',
    icon: '⇡',
    fill: '#ecfeff',
    stroke: '#0891b2',
    card: 'border-cyan-600 bg-cyan-50 dark:bg-cyan-950',
    text: 'text-cyan-700 dark:text-cyan-300',
  },
  backend: {
    label: 'backend',
    icon: '◇',
    fill: '#f5f3ff',
    stroke: '#7c3aed',
    card: 'border-violet-500 bg-violet-50 dark:bg-violet-950',
    text: 'text-violet-700 dark:text-violet-300',
  },
};
