/** One message: author, time, markdown rendered and sanitised; its author may edit or remove it. */
import { renderMarkdown } from '@sockkit/app-markdown';
import { type KeyboardEvent, memo, useMemo, useState } from 'react';
import type { ChatMessage } from '../contract.js';
import { useCall } from './sockkit.js';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export const MessageItem = memo(function MessageItem({
  message,
  own,
}: {
  message: ChatMessage;
  own: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.text);
  const edit = useCall('edit');
  const remove = useCall('remove');
  // Sanitised by DOMPurify in renderMarkdown before it reaches the DOM; raw HTML is shown as text.
  const html = useMemo(
    () => renderMarkdown(message.text, { html: false, remoteImages: 'link' }),
    [message.text],
  );

  const save = async () => {
    if (draft.trim() === message.text) return setEditing(false);
    if (await edit.execute({ id: message.id, text: draft })) setEditing(false);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') setEditing(false);
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void save();
    }
  };

  return (
    <div className={`message${own ? ' own' : ''}`} data-testid="message" data-id={message.id}>
      <div className="meta">
        <strong>{message.author.name}</strong> <time>{time.format(message.at)}</time>
        {message.editedAt !== null && <span className="edited"> (edited)</span>}
        {own && !editing && (
          <span className="actions">
            <button
              type="button"
              className="link"
              data-testid="edit"
              onClick={() => {
                setDraft(message.text);
                setEditing(true);
              }}
            >
              edit
            </button>
            <button
              type="button"
              className="link"
              data-testid="remove"
              onClick={() => void remove.execute({ id: message.id })}
            >
              delete
            </button>
          </span>
        )}
      </div>
      {editing ? (
        <div className="editing">
          <textarea
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKey}
            data-testid="edit-text"
          />
          <button type="button" onClick={() => void save()} disabled={edit.pending}>
            Save
          </button>
          <button type="button" className="link" onClick={() => setEditing(false)}>
            cancel
          </button>
        </div>
      ) : (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by DOMPurify in renderMarkdown
        <div className="text" dangerouslySetInnerHTML={{ __html: html }} />
      )}
      {(edit.error ?? remove.error) && <p className="error">{(edit.error ?? remove.error)?.message}</p>}
    </div>
  );
});
