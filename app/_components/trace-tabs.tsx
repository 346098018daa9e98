'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const TABS = [
  { suffix: '', label: 'Overview' },
  { suffix: '/latency', label: 'Latency' },
  { suffix: '/replay', label: 'Replay' },
  { suffix: '/scaling', label: 'PASID scaling' },
  { suffix: '/annotations', label: 'Annotations' },
  { suffix: '/report', label: 'Report' },
] as const;

/** The trace pages' navigation; real links, the current one marked for screen readers too. */
export function TraceTabs({ traceId }: { traceId: number }) {
  const pathname = usePathname();
  const base = `/traces/${traceId}`;
  return (
    <nav className="tabs" aria-label="Trace pages">
      {TABS.map((t) => {
        const href = `${base}${t.suffix}`;
        return (
          <Link key={t.suffix} href={href} aria-current={pathname === href ? 'page' : undefined}>
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
