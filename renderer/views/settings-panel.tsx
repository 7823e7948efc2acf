import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  APPROVAL_MODE_LABELS,
  ApprovalModeSchema,
  ProviderIdSchema,
  REFINE_MODE_LABELS,
  RefineModeSchema,
  SettingsSaveSchema,
  TestConnectionSchema,
  issuesOf,
  type ApprovalMode,
  type DoctorResult,
  type IpcIssue,
  type RefineMode,
  type SettingsView,
  type TestConnectionResult,
} from '../../app/ipc/contract.ts';
import { PROVIDER_IDS, hasBaseURL, providerOf, type ProviderId } from '../../app/ipc/provider-catalog.ts';
import { IpcError, api, call, messageOf } from '../bridge.ts';
import { useTaskStore } from '../task-store.ts';

type Form = {
  provider: ProviderId;
  baseURL: string;
  model: string;
  /** Blank: the default (4096 tokens). */
  maxOutputTokens: string;
  nativeTools: boolean;
  apiKey: string;
  removeApiKey: boolean;
  imageTokenBudget: string;
  maxSteps: string;
  approvalMode: ApprovalMode;
  /** `auto`, or a display's number as typed. */
  display: string;
  refine: RefineMode;
  /** Blank: the default (512). */
  refineCropSize: string;
  openTask: string;
  stopAll: string;
  /** One folder a line. */
  presetDirs: string;
  presetShortcuts: { presetId: string; accelerator: string }[];
};

type FieldName = 'provider' | 'baseURL' | 'model' | 'maxOutputTokens' | 'apiKey' | 'imageTokenBudget' | 'maxSteps' | 'approvalMode' | 'display' | 'refine' | 'refineCropSize' | 'shortcuts.openTask' | 'shortcuts.stopAll' | 'presetDirs' | `presetShortcuts.${number}.${'presetId' | 'accelerator'}`;
type Errors = Partial<Record<FieldName | 'form', string>>;

const formOf = (settings: SettingsView): Form => ({
  provider: settings.provider,
  baseURL: settings.baseURL,
  model: settings.model,
  maxOutputTokens: settings.maxOutputTokens === undefined ? '' : String(settings.maxOutputTokens),
  nativeTools: settings.nativeTools ?? false,
  apiKey: '',
  removeApiKey: false,
  imageTokenBudget: String(settings.imageTokenBudget),
  maxSteps: String(settings.maxSteps),
  approvalMode: settings.approvalMode,
  display: String(settings.display ?? 'auto'),
  refine: settings.refine ?? 'auto',
  refineCropSize: settings.refineCropSize === undefined ? '' : String(settings.refineCropSize),
  openTask: settings.shortcuts.openTask,
  stopAll: settings.shortcuts.stopAll,
  presetDirs: settings.presetDirs.join('\n'),
  presetShortcuts: settings.presetShortcuts.map((binding) => ({ ...binding })),
});

const linesOf = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

/** A number field as typed: blank and non-numbers become NaN, which the schema names. */
const numberOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * Which display and how closely to look, as the schema takes them. Both choices are saved even
 * when auto, so the screen's choice wins over the config file's; a blank crop size is the default.
 */
const displayFieldsOf = (form: Form) => {
  const display = form.display.trim().toLowerCase();
  return {
    display: display === '' || display === 'auto' ? ('auto' as const) : numberOf(display),
    refine: form.refine,
    ...(form.refineCropSize.trim() !== '' ? { refineCropSize: numberOf(form.refineCropSize) } : {}),
  };
};

/** The reply settings as the schemas take them: a blank limit and an unticked box are the defaults. */
const replyFieldsOf = (form: Form) => ({
  ...(form.maxOutputTokens.trim() !== '' ? { maxOutputTokens: numberOf(form.maxOutputTokens) } : {}),
  ...(form.nativeTools ? { nativeTools: true } : {}),
});

const errorsOf = (issues: readonly IpcIssue[]): Errors => {
  const errors: Errors = {};
  for (const issue of issues) {
    // A folder's issue is the list's ('presetDirs.1' -> 'presetDirs').
    const key = (issue.path.startsWith('presetDirs') ? 'presetDirs' : issue.path || 'form') as FieldName | 'form';
    errors[key] ??= issue.message;
  }
  return errors;
};

export function SettingsPanel() {
  const settings = useTaskStore((state) => state.settings);
  const refreshPresets = useTaskStore((state) => state.refreshPresets);
  useEffect(() => {
    void refreshPresets();
  }, [refreshPresets]);
  if (!settings) return <p className="hint">Loading the settings…</p>;
  return <SettingsForm settings={settings} />;
}

function SettingsForm({ settings }: { settings: SettingsView }) {
  const setSettings = useTaskStore((state) => state.setSettings);
  const presets = useTaskStore((state) => state.presets?.presets ?? []);
  const refreshPresets = useTaskStore((state) => state.refreshPresets);
  const [form, setForm] = useState<Form>(() => formOf(settings));
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState<{ kind: 'saved' | 'testing' | 'saving' } | { kind: 'tested'; result: TestConnectionResult } | undefined>();
  const [checks, setChecks] = useState<{ kind: 'running' } | { kind: 'done'; result: DoctorResult } | { kind: 'error'; message: string } | undefined>();
  const preset = providerOf(form.provider);
  const keySaved = settings.providersWithKey.includes(form.provider);
  const keyFromEnvironment = settings.providersWithEnvironmentKey.includes(form.provider);

  useEffect(() => setForm(formOf(settings)), [settings]);

  // A run's ending pointed at a setting: its field takes the focus once the form is drawn.
  const settingToFocus = useTaskStore((state) => state.settingToFocus);
  const settingFocused = useTaskStore((state) => state.settingFocused);
  useEffect(() => {
    if (settingToFocus === undefined) return;
    focusFieldLabelled(settingToFocus);
    settingFocused();
  }, [settingToFocus, settingFocused]);

  const update = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((current) => ({ ...current, [key]: value }));
    setStatus(undefined);
  };

  const chooseProvider = (provider: ProviderId) => {
    const next = providerOf(provider);
    setForm((current) => ({ ...current, provider, baseURL: next.baseURL ?? '', model: next.model, apiKey: '', removeApiKey: false }));
    setErrors({});
    setStatus(undefined);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = SettingsSaveSchema.safeParse({
      provider: form.provider,
      baseURL: form.baseURL,
      model: form.model,
      ...replyFieldsOf(form),
      imageTokenBudget: numberOf(form.imageTokenBudget),
      maxSteps: numberOf(form.maxSteps),
      approvalMode: form.approvalMode,
      ...displayFieldsOf(form),
      shortcuts: { openTask: form.openTask, stopAll: form.stopAll },
      presetDirs: linesOf(form.presetDirs),
      presetShortcuts: form.presetShortcuts,
      ...(form.apiKey.trim() !== '' ? { apiKey: form.apiKey } : {}),
      ...(form.removeApiKey ? { removeApiKey: true } : {}),
    });
    if (!parsed.success) {
      setErrors(errorsOf(issuesOf(parsed.error)));
      setStatus(undefined);
      focusFirstError();
      return;
    }
    setErrors({});
    setStatus({ kind: 'saving' });
    try {
      // The form sends what it checked, before the schema's trimming: main parses it again anyway.
      const view = await call(api().settings.save(parsed.data));
      setSettings(view);
      setStatus({ kind: 'saved' });
      // Other folders may hold other presets.
      void refreshPresets();
    } catch (error) {
      setStatus(undefined);
      setErrors(error instanceof IpcError && error.issues.length > 0 ? errorsOf(error.issues) : { form: messageOf(error) });
    }
  };

  const testConnection = async () => {
    const parsed = TestConnectionSchema.safeParse({
      provider: form.provider,
      baseURL: form.baseURL,
      model: form.model,
      ...replyFieldsOf(form),
      ...(form.apiKey.trim() !== '' ? { apiKey: form.apiKey } : {}),
    });
    if (!parsed.success) {
      setErrors(errorsOf(issuesOf(parsed.error)));
      focusFirstError();
      return;
    }
    setErrors({});
    setStatus({ kind: 'testing' });
    try {
      setStatus({ kind: 'tested', result: await call(api().settings.testConnection(parsed.data)) });
    } catch (error) {
      setStatus({ kind: 'tested', result: { ok: false, code: error instanceof IpcError ? error.code : 'FAILED', message: messageOf(error) } });
    }
  };

  const runChecks = async () => {
    setChecks({ kind: 'running' });
    try {
      setChecks({ kind: 'done', result: await call(api().settings.check({})) });
    } catch (error) {
      setChecks({ kind: 'error', message: messageOf(error) });
    }
  };

  const keyPlaceholder = keySaved ? 'Saved; type a new key to replace it' : keyFromEnvironment ? `From ${preset.keyVariable}` : preset.needsKey ? 'Required' : 'Not needed for local servers';

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="Settings">
      <fieldset>
        <legend>Model</legend>
        <Field label="Provider" hint={preset.hint} error={errors.provider}>
          {(props) => (
            <select {...props} value={form.provider} onChange={(event) => chooseProvider(ProviderIdSchema.parse(event.target.value))}>
              {PROVIDER_IDS.map((id) => (
                <option key={id} value={id}>
                  {providerOf(id).label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {hasBaseURL(preset) && (
          <Field label="Base URL" hint="The OpenAI-compatible endpoint, ending in /v1." error={errors.baseURL}>
            {(props) => <input {...props} type="url" inputMode="url" autoComplete="off" spellCheck={false} value={form.baseURL} onChange={(event) => update('baseURL', event.target.value)} />}
          </Field>
        )}
        <Field label="Model name" error={errors.model}>
          {(props) => <input {...props} type="text" autoComplete="off" spellCheck={false} value={form.model} onChange={(event) => update('model', event.target.value)} />}
        </Field>
        <Field
          label="API key"
          hint={
            settings.keychainAvailable
              ? 'Kept encrypted by the system keychain; never shown again after saving.'
              : `This system has no keychain, so keys cannot be saved${preset.keyVariable ? `; set ${preset.keyVariable} before starting Deskpilot` : ''}.`
          }
          error={errors.apiKey}
        >
          {(props) => (
            <input {...props} type="password" autoComplete="off" spellCheck={false} placeholder={keyPlaceholder} value={form.apiKey} onChange={(event) => update('apiKey', event.target.value)} />
          )}
        </Field>
        <Field label="Longest reply (tokens)" hint="Blank for 4096. Thinking variants reason before they answer: give them 8192 or more." error={errors.maxOutputTokens}>
          {(props) => <input {...props} type="number" inputMode="numeric" min={256} max={131072} placeholder="4096" value={form.maxOutputTokens} onChange={(event) => update('maxOutputTokens', event.target.value)} />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={form.nativeTools} onChange={(event) => update('nativeTools', event.target.checked)} /> Native tool calls (for servers with a tool parser, e.g. vLLM --tool-call-parser)
        </label>
        {keySaved && (
          <label className="checkbox">
            <input type="checkbox" checked={form.removeApiKey} onChange={(event) => update('removeApiKey', event.target.checked)} /> Forget the saved key of {preset.label}
          </label>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={testConnection} disabled={status?.kind === 'testing'}>
            Test connection
          </button>
        </div>
        <div className="connection-status" role="status" aria-live="polite">
          {status?.kind === 'testing' && <p className="banner">Sending a small image to {form.model}…</p>}
          {status?.kind === 'tested' && status.result.ok && (
            <p className="banner banner-ok">
              Connected: {status.result.model} saw the test image and answered in {status.result.ms} ms: “{status.result.reply}”
            </p>
          )}
        </div>
        {status?.kind === 'tested' && !status.result.ok && (
          <p role="alert" className="banner banner-error connection-error" data-code={status.result.code}>
            {status.result.message}
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>Runs</legend>
        <Field label="Image token budget" hint="Qwen3-VL tokens per screenshot, one per 32×32 pixels (1280 sends a 1920×1080 screen as 1504×832)." error={errors.imageTokenBudget}>
          {(props) => <input {...props} type="number" inputMode="numeric" min={64} max={16384} step={32} value={form.imageTokenBudget} onChange={(event) => update('imageTokenBudget', event.target.value)} />}
        </Field>
        <Field label="Step budget" hint="Steps before a run gives up." error={errors.maxSteps}>
          {(props) => <input {...props} type="number" inputMode="numeric" min={1} max={200} value={form.maxSteps} onChange={(event) => update('maxSteps', event.target.value)} />}
        </Field>
        <Field label="Default approval" error={errors.approvalMode}>
          {(props) => (
            <select {...props} value={form.approvalMode} onChange={(event) => update('approvalMode', ApprovalModeSchema.parse(event.target.value))}>
              {ApprovalModeSchema.options.map((option) => (
                <option key={option} value={option}>
                  {APPROVAL_MODE_LABELS[option]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Display" hint="Which display each step sees: auto (the focused window's, else the pointer's) or its number from 1." error={errors.display}>
          {(props) => <input {...props} type="text" inputMode="numeric" autoComplete="off" spellCheck={false} placeholder="auto" value={form.display} onChange={(event) => update('display', event.target.value)} />}
        </Field>
        <Field label="Closer look" hint="A second look at a pointing step's target at the display's own pixels, before it acts." error={errors.refine}>
          {(props) => (
            <select {...props} value={form.refine} onChange={(event) => update('refine', RefineModeSchema.parse(event.target.value))}>
              {RefineModeSchema.options.map((option) => (
                <option key={option} value={option}>
                  {REFINE_MODE_LABELS[option]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Closer look size" hint="Side of the square looked at closer, in pixels; blank for 512." error={errors.refineCropSize}>
          {(props) => <input {...props} type="number" inputMode="numeric" min={64} max={2048} step={32} placeholder="512" value={form.refineCropSize} onChange={(event) => update('refineCropSize', event.target.value)} />}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Shortcuts</legend>
        <Field label="Open the task window" hint="Works from any program, e.g. CommandOrControl+Shift+Space." error={errors['shortcuts.openTask']}>
          {(props) => <input {...props} type="text" autoComplete="off" spellCheck={false} value={form.openTask} onChange={(event) => update('openTask', event.target.value)} />}
        </Field>
        <Field label="Stop everything" hint="Stops the task and releases every key and button." error={errors['shortcuts.stopAll']}>
          {(props) => <input {...props} type="text" autoComplete="off" spellCheck={false} value={form.stopAll} onChange={(event) => update('stopAll', event.target.value)} />}
        </Field>
        {form.presetShortcuts.map((binding, index) => (
          <div key={index} className="preset-shortcut" role="group" aria-label={`Preset shortcut ${index + 1}`}>
            <Field label={`Preset of shortcut ${index + 1}`} error={errors[`presetShortcuts.${index}.presetId`]}>
              {(props) => (
                <select
                  {...props}
                  value={binding.presetId}
                  onChange={(event) => update('presetShortcuts', form.presetShortcuts.map((other, at) => (at === index ? { ...other, presetId: event.target.value } : other)))}
                >
                  <option value="">Choose a preset</option>
                  {!presets.some((preset) => preset.id === binding.presetId) && binding.presetId !== '' && <option value={binding.presetId}>{binding.presetId} (not in the library)</option>}
                  {presets.map((preset) => (
                    <option key={preset.id} value={preset.id}>
                      {preset.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={`Shortcut ${index + 1}`} hint="Runs the preset from any program; presets that need values open the task window." error={errors[`presetShortcuts.${index}.accelerator`]}>
              {(props) => (
                <input
                  {...props}
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  value={binding.accelerator}
                  onChange={(event) => update('presetShortcuts', form.presetShortcuts.map((other, at) => (at === index ? { ...other, accelerator: event.target.value } : other)))}
                />
              )}
            </Field>
            <button type="button" className="button button-link" onClick={() => update('presetShortcuts', form.presetShortcuts.filter((_, at) => at !== index))}>
              Remove shortcut {index + 1}
            </button>
          </div>
        ))}
        <div className="actions">
          <button type="button" className="button" onClick={() => update('presetShortcuts', [...form.presetShortcuts, { presetId: presets[0]?.id ?? '', accelerator: '' }])}>
            Add a preset shortcut
          </button>
        </div>
        {settings.shortcutProblems.map((problem) => (
          <p key={problem} className="field-error" role="alert">
            {problem}
          </p>
        ))}
      </fieldset>
      <fieldset>
        <legend>Presets</legend>
        <Field label="Preset folders" hint="Besides ~/.config/deskpilot/presets/, one folder a line." error={errors.presetDirs}>
          {(props) => <textarea {...props} rows={3} spellCheck={false} value={form.presetDirs} onChange={(event) => update('presetDirs', event.target.value)} />}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Checks</legend>
        <p className="hint">Everything a run needs, with the saved settings: the display, a screenshot, input, typing, the model seeing an image, the config file. The same checks as `deskpilot doctor`.</p>
        <div className="actions">
          <button type="button" className="button" onClick={runChecks} disabled={checks?.kind === 'running'}>
            Check everything
          </button>
        </div>
        <div className="doctor-status" role="status" aria-live="polite">
          {checks?.kind === 'running' && <p className="banner">Checking…</p>}
          {checks?.kind === 'done' && <p className={`banner ${checks.result.works ? 'banner-ok' : 'banner-error'}`}>{checks.result.works ? 'A run would work.' : 'A run would not work: see the failed checks.'}</p>}
          {checks?.kind === 'error' && <p className="banner banner-error">{checks.message}</p>}
        </div>
        {checks?.kind === 'done' && (
          <ul className="doctor-checks" aria-label="Checks">
            {checks.result.checks.map((check) => (
              <li key={check.name} data-status={check.status}>
                <strong>{CHECK_MARKS[check.status]}</strong> {check.name}: {check.detail}
                {check.fix && <p className="hint">{check.fix}</p>}
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      {errors.form && (
        <p role="alert" className="banner banner-error">
          {errors.form}
        </p>
      )}
      <div className="actions actions-end">
        <button type="submit" className="button button-primary" disabled={status?.kind === 'saving'}>
          Save
        </button>
      </div>
      <div className="settings-status" role="status" aria-live="polite">
        {status?.kind === 'saved' && <p className="banner banner-ok">Settings saved.</p>}
      </div>
    </form>
  );
}

const CHECK_MARKS: Record<DoctorResult['checks'][number]['status'], string> = { pass: 'OK', warn: 'Warning', fail: 'Failed', skip: 'Skipped' };

type ControlProps = { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true; name: string };

/** A labelled control with its hint and error, wired for screen readers. */
function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string | undefined; children: (props: ControlProps) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({ id, name: label, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true as const } : {}) })}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

function focusFieldLabelled(label: string) {
  const labels = [...document.querySelectorAll<HTMLLabelElement>('form.settings label.field-label')];
  const control = labels.find((element) => element.textContent === label)?.control;
  if (control instanceof HTMLElement) {
    control.focus();
    control.scrollIntoView({ block: 'center' });
  }
}

function focusFirstError() {
  // After React has marked the fields.
  setTimeout(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}
