'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const TABS = [
  { suffix: '', label: 'Overview' },
  { suffix: '/latency', label: 'Latency' },
  { suffix: '/groups', label: 'Fault groups' },
  { suffix: '/replay', label: 'Replay' },
  { suffix: '/scaling', label: 'Scaling' },
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
          // A group's own page (/groups/N) stays under its tab.
          <Link key={t.suffix} href={href} aria-current={pathname === href || (t.suffix && pathname.startsWith(`${href}/`)) ? 'page' : undefined}>
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
