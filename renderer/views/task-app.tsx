import { useEffect, useRef, type KeyboardEvent } from 'react';
import { TABS, useTaskStore, type Tab } from '../task-store.ts';
import { HistoryPanel } from './history-panel.tsx';
import { SettingsPanel } from './settings-panel.tsx';
import { TaskPanel } from './task-panel.tsx';

/** The task window: a goal and its run, the history, the settings, as three tabs. */
export function TaskApp() {
  const tab = useTaskStore((state) => state.tab);
  const setTab = useTaskStore((state) => state.setTab);
  const loadError = useTaskStore((state) => state.loadError);
  const connect = useTaskStore((state) => state.connect);
  const tabRefs = useRef(new Map<Tab, HTMLButtonElement>());

  useEffect(() => {
    let unsubscribe: (() => void) | undefined;
    let gone = false;
    void connect().then((stop) => (gone ? stop() : (unsubscribe = stop)));
    return () => {
      gone = true;
      unsubscribe?.();
    };
  }, [connect]);

  // Arrow keys move between tabs, as in every tab list (WAI-ARIA authoring practices).
  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = TABS.findIndex((entry) => entry.id === tab);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = TABS[(next + TABS.length) % TABS.length]!.id;
    setTab(target);
    tabRefs.current.get(target)?.focus();
  };

  return (
    <div className="task-app">
      <header className="app-header">
        <h1 className="app-title">Deskpilot</h1>
        <div role="tablist" aria-label="Sections" className="tabs">
          {TABS.map((entry) => (
            <button
              key={entry.id}
              ref={(element) => {
                if (element) tabRefs.current.set(entry.id, element);
              }}
              type="button"
              role="tab"
              id={`tab-${entry.id}`}
              aria-selected={tab === entry.id}
              aria-controls={`panel-${entry.id}`}
              tabIndex={tab === entry.id ? 0 : -1}
              className="tab"
              onClick={() => setTab(entry.id)}
              onKeyDown={onTabKey}
            >
              {entry.label}
            </button>
          ))}
        </div>
      </header>
      {loadError && (
        <p role="alert" className="banner banner-error">
          {loadError}
        </p>
      )}
      <main>
        {TABS.map((entry) => (
          <section key={entry.id} role="tabpanel" id={`panel-${entry.id}`} aria-labelledby={`tab-${entry.id}`} hidden={tab !== entry.id} className="panel">
            {entry.id === 'task' && <TaskPanel />}
            {entry.id === 'history' && tab === 'history' && <HistoryPanel />}
            {entry.id === 'settings' && tab === 'settings' && <SettingsPanel />}
          </section>
        ))}
      </main>
    </div>
  );
}
