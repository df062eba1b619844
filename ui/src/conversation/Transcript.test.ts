import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { message } from '../testing/fixtures';
import Transcript from './Transcript.svelte';

describe('Transcript', () => {
  it('renders message text literally, never as HTML', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [message({ body: '<b>hi</b> <img src=x onerror=alert(1)>' })],
    });
    const rendered = screen.getByTestId('message');
    expect(rendered).toHaveTextContent('<b>hi</b> <img src=x onerror=alert(1)>');
    expect(screen.getByTestId('transcript').querySelector('b, img')).toBeNull();
  });

  it('lists messages oldest first with inbound and outbound sides', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 3, body: 'third', createdAt: 3_000, direction: 'outbound', status: 'sent' }),
        message({ id: 1, body: 'first', createdAt: 1_000 }),
        message({ id: 2, body: 'second', createdAt: 2_000 }),
      ],
    });
    const rendered = screen.getAllByTestId('message');
    expect(rendered.map((element) => element.textContent)).toEqual([
      expect.stringContaining('first'),
      expect.stringContaining('second'),
      expect.stringContaining('third'),
    ]);
    expect(rendered.map((element) => element.dataset.direction)).toEqual([
      'inbound',
      'inbound',
      'outbound',
    ]);
  });

  it('shows the delivery status of outbound messages, with the error code on failure', () => {
    const outbound = { direction: 'outbound', agentId: 1 } as const;
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 1, createdAt: 1, body: 'a', status: 'pending', ...outbound }),
        message({ id: 2, createdAt: 2, body: 'b', status: 'queued', ...outbound }),
        message({ id: 3, createdAt: 3, body: 'c', status: 'sent', ...outbound }),
        message({ id: 4, createdAt: 4, body: 'd', status: 'delivered', ...outbound }),
        message({ id: 5, createdAt: 5, body: 'e', status: 'undelivered', errorCode: 30003, ...outbound }),
        message({ id: 6, createdAt: 6, body: 'f', status: 'failed', errorCode: 30007, ...outbound }),
        message({ id: 7, createdAt: 7, body: 'g', status: 'received' }),
      ],
    });
    const rendered = screen.getAllByTestId('message');
    const statuses = rendered.map(
      (element) => within(element).queryByTestId('message-status')?.textContent?.trim() ?? null,
    );
    expect(statuses).toEqual(['Pending', 'Sent', 'Sent', 'Delivered', 'Failed', 'Failed', null]);
    expect(rendered.map((element) => element.dataset.status)).toEqual([
      'pending',
      'queued',
      'sent',
      'delivered',
      'undelivered',
      'failed',
      'received',
    ]);
    expect(rendered[5]).toHaveTextContent('30007');
    expect(rendered[4]).toHaveTextContent('30003');
    // The pending clock is drawn, not written.
    expect(within(rendered[0]!).getByTestId('message-status').querySelector('svg')).not.toBeNull();
  });

  it('says when there is nothing to show yet', () => {
    render(Transcript, { label: 'Carla', messages: [] });
    expect(screen.getByTestId('transcript')).toHaveTextContent('No messages yet.');
  });
});
