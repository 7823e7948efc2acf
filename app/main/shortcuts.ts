/** What registering a global shortcut needs: Electron's `globalShortcut`, or a fake. */
export interface ShortcutRegistry {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export type ShortcutActions = { readonly openTask: () => void; readonly stopAll: () => void };
/** A preset bound to a shortcut (Settings > Shortcuts), with what to do when it is pressed. */
export type PresetShortcut = { readonly accelerator: string; readonly name: string; readonly run: () => void };
export type ShortcutSettings = { readonly openTask: string; readonly stopAll: string };

const NAMES: Record<keyof ShortcutSettings, string> = { openTask: 'open the task window', stopAll: 'stop everything' };

/**
 * The app's two global shortcuts, then the presets bound to shortcuts. Applying new ones releases the old first; a shortcut another program
 * holds is reported in words rather than silently missing.
 */
export class Shortcuts {
  private registered: string[] = [];
  problems: string[] = [];

  constructor(
    private readonly registry: ShortcutRegistry,
    private readonly actions: ShortcutActions,
  ) {}

  apply(settings: ShortcutSettings, presets: readonly PresetShortcut[] = []): string[] {
    for (const accelerator of this.registered) this.registry.unregister(accelerator);
    this.registered = [];
    this.problems = [];
    // Stop first: if only one can be had, it should be the one that stops the agent.
    for (const key of ['stopAll', 'openTask'] as const) {
      const accelerator = settings[key];
      let ok = false;
      try {
        ok = this.registry.register(accelerator, this.actions[key]);
      } catch {
        ok = false;
      }
      if (ok) this.registered.push(accelerator);
      else this.problems.push(`${accelerator} (to ${NAMES[key]}) is taken by another program; choose another in Settings.`);
    }
    for (const preset of presets) {
      let ok = false;
      try {
        // The settings refuse a preset shortcut that is one of ours; a repeat is refused here too.
        ok = !this.registered.includes(preset.accelerator) && this.registry.register(preset.accelerator, preset.run);
      } catch {
        ok = false;
      }
      if (ok) this.registered.push(preset.accelerator);
      else this.problems.push(`${preset.accelerator} (to run the preset ${preset.name}) is taken; choose another in Settings.`);
    }
    return this.problems;
  }

  dispose(): void {
    for (const accelerator of this.registered) this.registry.unregister(accelerator);
    this.registered = [];
  }
}
