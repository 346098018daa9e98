import type { ReactNode } from 'react';

/** A titled panel; the grid span sets its width at desktop size (full width below 1100 px). */
export function Card({
  title,
  subtitle,
  span = 12,
  children,
  actions,
  testId,
}: {
  title: string;
  subtitle?: ReactNode;
  span?: 4 | 6 | 8 | 12;
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <section className={`card span-${span}`} aria-label={title} data-testid={testId}>
      <div className="card-head">
        <div>
          <h2>{title}</h2>
          {subtitle ? <p className="muted">{subtitle}</p> : null}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}
