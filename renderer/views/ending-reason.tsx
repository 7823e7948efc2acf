import type { SettingField } from '../../agent/setting-fields.ts';
import { settingLabelOf } from '../../app/ipc/contract.ts';
import { useTaskStore } from '../task-store.ts';

/**
 * Why a run ended, in the settings screen's words, and the way to the setting to change when the
 * ending names one that the screen has: the live run and its history row say it alike.
 */
export function EndingReason({ reason, field, className = 'reason' }: { reason: string; field?: SettingField | undefined; className?: string }) {
  const openSetting = useTaskStore((state) => state.openSetting);
  const setting = field ? settingLabelOf(field) : undefined;
  return (
    <>
      <p className={className}>{reason}</p>
      {setting !== undefined && (
        <button type="button" className="button button-link ending-setting" onClick={() => openSetting(setting)}>
          Change {setting}
        </button>
      )}
    </>
  );
}
