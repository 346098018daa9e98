// The saved views of a trace (or of the compare page) as links, newest first. Server
// component: the list comes from the database with the page; only delete is interactive.

import Link from 'next/link';
import type { SavedView } from '@/lib/db/saved-views.ts';
import { Empty } from '../empty.tsx';
import { DeleteViewButton } from './save-view.tsx';
import { withoutControls } from '@/lib/core/errors.ts';

export function SavedViewsList({ views }: { views: SavedView[] }) {
  if (views.length === 0) return <Empty>No saved views yet. Set up a view, then use “Save view” at the top of the page.</Empty>;
  return (
    <ul className="saved-views" data-testid="saved-views">
      {views.map((v) => (
        <li key={v.view_id} data-testid="saved-view" data-view-id={v.view_id}>
          <Link href={v.url} data-testid={`saved-view-link-${v.view_id}`}>
            {withoutControls(v.name)}
          </Link>
          <span className="mono muted saved-view-url">{v.url}</span>
          <span className="muted">{v.created_at} UTC</span>
          <DeleteViewButton viewId={v.view_id} name={v.name} />
        </li>
      ))}
    </ul>
  );
}
