/** URL parameters a page had to ignore, said at the top of the page rather than silently dropped. */
export function ParamNotice({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="notice warn span-12" role="status" data-testid="param-notice">
      <b>Some link parameters were not understood:</b>
      <ul>
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}
