'use client';

import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import { useServerRun } from '../../_lib/use-server-run.ts';

// The replay launcher: model, kernel-era preset, seed and every parameter of the preset,
// editable, each with its provenance (cited with its source, fitted, or estimate) beside it. Only parameters that differ from the preset are sent (as name=value overrides),
// so a saved run lists exactly what was changed. The new run joins the comparison in the URL.

export interface PresetInfo {
  era: string;
  model: string;
  note: string;
  params: Record<string, number | string>;
  /** Where each value comes from: cited (source), fitted (from what) or estimate. */
  provenance: Record<string, { kind: string; source: string }>;
}

export interface ParamInfo {
  name: string;
  type: 'int' | 'number' | 'enum';
  unit?: string;
  values?: readonly string[];
  doc: string;
  models: readonly string[];
}

export function ReplayForm({
  traceId,
  models,
  presets,
  specs,
  selected,
}: {
  traceId: number;
  models: readonly string[];
  presets: PresetInfo[];
  specs: ParamInfo[];
  selected: number[];
}) {
  const router = useRouter();
  const [presetEra, setPresetEra] = useState(presets.find((p) => p.era === 'v6.9')?.era ?? presets[0]!.era);
  const preset = presets.find((p) => p.era === presetEra)!;
  const [model, setModel] = useState(preset.model);
  const [seed, setSeed] = useState('1');
  const [holdout, setHoldout] = useState('');
  const [values, setValues] = useState<Record<string, string>>(() => stringify(preset.params));
  const { running, elapsed, error, setError, start } = useServerRun('the replay request failed (network error or server restart)');

  const overrides = useMemo(
    () => specs.filter((s) => values[s.name] !== String(preset.params[s.name])).map((s) => `${s.name}=${values[s.name]!.trim()}`),
    [specs, values, preset],
  );

  const choosePreset = (era: string) => {
    const p = presets.find((x) => x.era === era)!;
    setPresetEra(era);
    setModel(p.model);
    setValues(stringify(p.params));
    setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\d{1,15}$/.test(seed.trim())) {
      setError({ message: 'seed must be a non-negative integer', parameter: 'seed' });
      return;
    }
    const fit = holdout.trim() === '' ? undefined : Number(holdout.trim());
    if (fit !== undefined && !(fit > 0 && fit < 1)) {
      setError({ message: 'held-out fit share must be a fraction strictly between 0 and 1, or empty', parameter: 'holdout' });
      return;
    }
    const saved = await start<{ run_id?: number }>(`/api/traces/${traceId}/replay`, {
      model,
      preset: presetEra,
      params: overrides,
      seed: Number(seed.trim()),
      ...(fit === undefined ? {} : { holdout: fit }),
    });
    if (!saved) return;
    const runId = saved.run_id;
    if (runId === undefined) {
      setError({ message: 'server answered 201' });
      return;
    }
    const runs = [...selected.filter((r) => r !== runId), runId].slice(-4);
    router.push(`/traces/${traceId}/replay?runs=${runs.join(',')}`);
    router.refresh();
  };

  return (
    <form onSubmit={submit} data-testid="replay-form">
      <div className="filters">
        <div className="field">
          <label htmlFor="r-preset">Preset (kernel era)</label>
          <select id="r-preset" value={presetEra} onChange={(e) => choosePreset(e.target.value)} disabled={running}>
            {presets.map((p) => (
              <option key={p.era} value={p.era}>
                {p.era} — {p.model}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="r-model">Model</label>
          <select id="r-model" value={model} onChange={(e) => setModel(e.target.value)} disabled={running}>
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <ShortField
          id="r-seed"
          label="Seed"
          inputMode="numeric"
          value={seed}
          onChange={setSeed}
          size={8}
          disabled={running}
          invalid={error?.parameter === 'seed'}
        />
        <ShortField
          id="r-holdout"
          label="Held out: fit share"
          title="Estimate service times (serviceDist=empirical) on this share of the answered groups, earliest first, and check the replay on the rest only. Empty: no held-out check."
          inputMode="decimal"
          placeholder="e.g. 0.5"
          value={holdout}
          onChange={setHoldout}
          size={6}
          disabled={running}
          invalid={error?.parameter === 'holdout'}
          testId="replay-holdout"
        />
        <button type="submit" disabled={running} data-testid="replay-run">
          {running ? (
            <>
              <span className="spinner" aria-hidden="true" /> Replaying… {elapsed.toFixed(1)} s
            </>
          ) : (
            'Run replay'
          )}
        </button>
        {overrides.length > 0 ? (
          <button type="button" className="secondary" onClick={() => setValues(stringify(preset.params))} disabled={running}>
            Reset {overrides.length} changed
          </button>
        ) : null}
      </div>
      <p className="muted" style={{ margin: '0.5rem 0' }}>
        {preset.note}
      </p>
      {error ? (
        <p role="alert" className="notice error" data-testid="replay-error">
          {error.message}
        </p>
      ) : null}
      <details>
        <summary>
          Parameters ({specs.length}; {overrides.length ? `${overrides.length} changed from ${presetEra}` : `as ${presetEra}`})
        </summary>
        <div className="param-grid">
          {specs.map((s) => {
            const changed = values[s.name] !== String(preset.params[s.name]);
            const unused = !s.models.includes(model);
            const id = `p-${s.name}`;
            return (
              <div key={s.name} className={`param${changed ? ' changed' : ''}${unused ? ' unused' : ''}`} title={s.doc}>
                <label htmlFor={id}>
                  <span className="mono">{s.name}</span> {s.unit ? <span className="muted">({s.unit})</span> : null}
                </label>
                {s.type === 'enum' ? (
                  <select
                    id={id}
                    value={values[s.name]}
                    onChange={(e) => setValues({ ...values, [s.name]: e.target.value })}
                    disabled={running}
                    aria-invalid={error?.parameter === s.name}
                  >
                    {s.values!.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={id}
                    type="text"
                    inputMode="decimal"
                    value={values[s.name]}
                    onChange={(e) => setValues({ ...values, [s.name]: e.target.value })}
                    disabled={running}
                    aria-invalid={error?.parameter === s.name}
                    aria-describedby={`${id}-doc`}
                  />
                )}
                <small className="provenance">
                  {changed ? (
                    <span className="prov prov-user">set by you</span>
                  ) : (
                    <>
                      <span className={`prov prov-${preset.provenance[s.name]?.kind ?? 'estimate'}`}>{preset.provenance[s.name]?.kind ?? 'estimate'}</span>{' '}
                      {preset.provenance[s.name]?.source}
                    </>
                  )}
                </small>
                <small id={`${id}-doc`} className="muted">
                  {unused ? `not used by ${model}. ` : ''}
                  {s.doc}
                </small>
              </div>
            );
          })}
        </div>
      </details>
    </form>
  );
}

function stringify(params: Record<string, number | string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
}

/** A short text box with its label: the seed and the held-out share. */
function ShortField(props: {
  id: string;
  label: string;
  title?: string;
  inputMode: 'numeric' | 'decimal';
  placeholder?: string;
  value: string;
  onChange: (v: string) => void;
  size: number;
  disabled: boolean;
  invalid: boolean;
  testId?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id} title={props.title}>
        {props.label}
      </label>
      <input
        id={props.id}
        type="text"
        inputMode={props.inputMode}
        placeholder={props.placeholder}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        size={props.size}
        disabled={props.disabled}
        aria-invalid={props.invalid}
        data-testid={props.testId}
      />
    </div>
  );
}
