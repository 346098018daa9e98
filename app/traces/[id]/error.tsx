'use client';

// Inside a trace the same error view, but under the trace's header and tabs, so the other
// pages of the trace stay one click away when one fails.
export { default } from '../../error.tsx';
