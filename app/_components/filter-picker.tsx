'use client';

// A latency filter field for values that can number tens of thousands (PASIDs, devices): a text
// input whose suggestions start as the trace's largest values and, as the user types, come from
// the server's search over all of them (GET /api/traces/[id]/filter-values). Its text is the
// URL's value, so a filter that came with a link shows, and stays when another filter is applied.

import { useEffect, useRef, useState } from 'react';
import { fmtCount } from '../_lib/format.ts';

export interface PickerOption {
  value: string | number;
  groups: number;
}

function label(dim: Props['dim'], o: PickerOption): string {
  const groups = `${fmtCount(o.groups)} group${o.groups === 1 ? '' : 's'}`;
  return dim === 'pasid' ? `${o.value} (0x${Number(o.value).toString(16)}) · ${groups}` : `${o.value} · ${groups}`;
}

interface Props {
  traceId: number;
  dim: 'device' | 'pasid';
  id: string;
  name: string;
  value: string;
  placeholder: string;
  options: PickerOption[];
}

const SEARCH_DELAY_MS = 200;

export function FilterPicker({ traceId, dim, id, name, value, placeholder, options }: Props) {
  const [text, setText] = useState(value);
  const [found, setFound] = useState(options);
  const searched = useRef(value);

  useEffect(() => {
    if (text === searched.current) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      searched.current = text;
      fetch(`/api/traces/${traceId}/filter-values?dim=${dim}&q=${encodeURIComponent(text)}`, { signal: abort.signal })
        .then((r) => (r.ok ? (r.json() as Promise<PickerOption[]>) : []))
        .then(setFound)
        .catch(() => undefined);
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [text, traceId, dim]);

  return (
    <>
      <input
        id={id}
        name={name}
        type="search"
        list={`${id}-list`}
        value={text}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        data-testid={`${id}-input`}
        onChange={(e) => setText(e.target.value)}
      />
      <datalist id={`${id}-list`} data-testid={`${id}-options`}>
        {found.map((o) => (
          <option key={o.value} value={String(o.value)}>
            {label(dim, o)}
          </option>
        ))}
      </datalist>
    </>
  );
}
