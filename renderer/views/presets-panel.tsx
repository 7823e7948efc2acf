import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { PresetSummary } from '../../app/ipc/contract.ts';
import { api, call, messageOf } from '../bridge.ts';
import { useTaskStore } from '../task-store.ts';

/**
 * The preset library: a preset that needs nothing runs when picked; one that needs values opens a
 * small form for them first (also when picked in the tray or by its shortcut).
 */
export function PresetsPanel({ running }: { running: boolean }) {
  const library = useTaskStore((state) => state.presets);
  const requested = useTaskStore((state) => state.requestedPreset);
  const requestPreset = useTaskStore((state) => state.requestPreset);
  const [error, setError] = useState<string | undefined>();
  const headingId = useId();

  if (!library || (library.presets.length === 0 && library.problems.length === 0)) return null;
  const chosen = library.presets.find((preset) => preset.id === requested);

  const run = async (preset: PresetSummary, values: Record<string, string>) => {
    setError(undefined);
    try {
      await call(api().presets.run({ presetId: preset.id, values }));
      requestPreset(undefined);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  return (
    <section className="presets" aria-labelledby={headingId}>
      <h2 id={headingId} className="field-label">
        Presets
      </h2>
      <ul className="preset-list" aria-label="Presets">
        {library.presets.map((preset) => (
          <li key={preset.id} className="preset-item">
            <button
              type="button"
              className="button button-link"
              disabled={running}
              aria-describedby={preset.description ? `${headingId}-${preset.name}` : undefined}
              onClick={() => (preset.needsInput ? requestPreset(preset.id) : void run(preset, {}))}
            >
              {preset.name}
              {preset.needsInput ? '…' : ''}
            </button>
            {preset.description && (
              <span id={`${headingId}-${preset.name}`} className="hint">
                {' '}
                {preset.description}
              </span>
            )}
          </li>
        ))}
      </ul>
      {library.problems.map((problem) => (
        <p key={problem.file} className="hint preset-problem">
          {problem.file} cannot be used: {problem.message.split('\n')[0]}
        </p>
      ))}
      {requested !== undefined && !chosen && (
        <p role="alert" className="field-error">
          That preset is no longer in the library.
        </p>
      )}
      {chosen && <PresetForm key={chosen.id} preset={chosen} running={running} onRun={(values) => run(chosen, values)} onCancel={() => requestPreset(undefined)} />}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
    </section>
  );
}

/**
 * The preset's variables. The fields are uncontrolled, so a typed value lives only in the input
 * (React would mirror a controlled value into the `value` attribute); the form is emptied as soon
 * as the values are sent, and secrets are password fields.
 */
function PresetForm({ preset, running, onRun, onCancel }: { preset: PresetSummary; running: boolean; onRun: (values: Record<string, string>) => Promise<void>; onCancel: () => void }) {
  const formRef = useRef<HTMLFormElement>(null);
  const first = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => first.current?.focus(), []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const values: Record<string, string> = {};
    for (const variable of preset.variables) {
      const field = form.elements.namedItem(variable.name);
      if (field instanceof HTMLInputElement) values[variable.name] = variable.type === 'boolean' ? String(field.checked) : field.value;
    }
    // Secrets leave the page now: the fields forget them before the answer comes.
    for (const variable of preset.variables) {
      const field = form.elements.namedItem(variable.name);
      if (variable.secret && field instanceof HTMLInputElement) field.value = '';
    }
    await onRun(values);
    formRef.current?.reset();
  };

  return (
    <form ref={formRef} className="preset-form" aria-label={`Run ${preset.name}`} onSubmit={submit} autoComplete="off">
      <p className="preset-form-title">
        <strong>{preset.name}</strong>
        {preset.description ? ` · ${preset.description}` : ''}
      </p>
      {preset.variables.map((variable, index) => (
        <div key={variable.name} className="field">
          <label htmlFor={`${id}-${variable.name}`} className="field-label">
            {variable.name}
            {variable.required || variable.secret ? ' (required)' : ''}
          </label>
          {variable.type === 'boolean' ? (
            <input ref={index === 0 ? first : undefined} id={`${id}-${variable.name}`} name={variable.name} type="checkbox" defaultChecked={variable.default === true} />
          ) : (
            <input
              ref={index === 0 ? first : undefined}
              id={`${id}-${variable.name}`}
              name={variable.name}
              type={variable.secret ? 'password' : variable.type === 'number' ? 'number' : 'text'}
              autoComplete={variable.secret ? 'new-password' : 'off'}
              spellCheck={false}
              defaultValue={variable.default === undefined ? undefined : String(variable.default)}
              aria-describedby={variable.description ? `${id}-${variable.name}-hint` : undefined}
            />
          )}
          {variable.description && (
            <p id={`${id}-${variable.name}-hint`} className="hint">
              {variable.description}
              {variable.secret ? ' Kept out of the run view, the history and every record.' : ''}
            </p>
          )}
        </div>
      ))}
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={running}>
          Run preset
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
