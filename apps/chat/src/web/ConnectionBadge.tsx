/** The link to the server as a person sees it, and how many messages wait to be sent. */
import { useBrowserOnline } from './network.js';
import { useConnectionState } from './sockkit.js';

export function ConnectionBadge({ waiting }: { waiting: number }) {
  const { state } = useConnectionState();
  const browserOnline = useBrowserOnline();
  const shown = !browserOnline
    ? 'offline'
    : state === 'open'
      ? 'connected'
      : state === 'closed'
        ? 'disconnected'
        : 'reconnecting';
  return (
    <div className={`badge ${shown}`} data-testid="connection" data-state={shown}>
      <span className="dot" /> {shown}
      {waiting > 0 && (
        <span className="waiting" data-testid="waiting">
          {' '}
          · {waiting} {waiting === 1 ? 'message' : 'messages'} waiting
        </span>
      )}
    </div>
  );
}
