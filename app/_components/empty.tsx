import type { ReactNode } from 'react';

/** What a card shows when its query found nothing to plot, with the reason. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
