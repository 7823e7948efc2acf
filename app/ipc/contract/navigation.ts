import { z } from 'zod';
import { defineContract } from './shared.ts';

// Main asking the task window for one of its views (a tray item, a shortcut).

export const TaskViewSchema = z.enum(['task', 'history', 'settings']);
export type TaskView = z.infer<typeof TaskViewSchema>;

export const navigationContract = defineContract({
  invoke: {},
  push: {
    'view-requested': z.strictObject({ view: TaskViewSchema }),
  },
});
