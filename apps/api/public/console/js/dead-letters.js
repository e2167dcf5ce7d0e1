import { api } from './api.js';
import { badge, el, json, renderIfChanged, time } from './dom.js';

export const deadLettersState = { status: 'parked', editing: false };

/**
 * Parked messages with their error and (redacted) message, and the two ways out: Replay (after
 * the cause is fixed) and Discard (with a reason, kept in the audit trail).
 * `act(kind, id, reason)` performs the action and refreshes the page.
 */
function card(d, act) {
  const id = `dead-letter-${d.id}`;
  const customer = d.envelope?.payload?.customer_id;
  const reasonInput = el('input', { type: 'text', minlength: 3, maxlength: 500, required: true, placeholder: 'Why discard it? (3–500 characters)', testid: `${id}-discard-reason` });
  const discardForm = el(
    'form',
    {
      hidden: true,
      testid: `${id}-discard-form`,
      onsubmit: (ev) => {
        ev.preventDefault();
        deadLettersState.editing = false;
        act('discard', d.id, reasonInput.value.trim());
      },
    },
    reasonInput,
    el('button', { type: 'submit', class: 'danger', testid: `${id}-discard-confirm` }, 'Discard'),
    el('button', { type: 'button', testid: `${id}-discard-cancel`, onclick: () => { discardForm.hidden = true; deadLettersState.editing = false; } }, 'Cancel'),
  );
  const actions =
    d.status === 'parked'
      ? el(
          'div',
          { class: 'actions' },
          el('button', { type: 'button', class: 'primary', testid: `${id}-replay`, onclick: (ev) => { ev.target.disabled = true; act('replay', d.id); } }, 'Replay'),
          el('button', { type: 'button', class: 'danger', testid: `${id}-discard`, onclick: () => { discardForm.hidden = false; deadLettersState.editing = true; reasonInput.focus(); } }, 'Discard…'),
        )
      : el('div', { class: 'muted small' }, `${d.status} ${time(d.resolved_at)}${d.resolution_note ? ` — ${d.resolution_note}` : ''}`);
  return el(
    'article',
    { class: `dead-letter ${d.status}`, testid: id },
    el(
      'div',
      { class: 'head' },
      el('strong', {}, `#${d.id} `, d.external_system ?? 'inbound', ' · ', d.envelope?.type ?? 'message', customer !== undefined ? ` · customer ${customer}` : ''),
      el('span', { class: 'muted small' }, `${time(d.created_at)} · ${d.attempts} attempt(s) · key ${d.message_key ?? '—'} · `, badge(d.status)),
    ),
    el('div', { class: 'reason', testid: `${id}-reason` }, d.error_code ? `${d.error_code}: ` : '', d.reason),
    json('message (redacted)', d.envelope, `${id}-envelope`),
    actions,
    discardForm,
  );
}

export async function refreshDeadLetters(container, act) {
  // An open discard form would be wiped by a re-render: wait until it is sent or cancelled.
  if (deadLettersState.editing) return;
  const page = await api('GET', '/api/v1/dead-letters', { query: { status: deadLettersState.status, limit: 50 } });
  renderIfChanged(container, page.data, (rows) => {
    if (rows.length === 0) return el('p', { class: 'empty', testid: 'dead-letters-empty' }, `No ${deadLettersState.status} dead letters.`);
    const frag = document.createDocumentFragment();
    frag.append(...rows.map((d) => card(d, act)));
    if (page.has_more) frag.append(el('p', { class: 'muted' }, 'Showing the newest 50.'));
    return frag;
  });
}
