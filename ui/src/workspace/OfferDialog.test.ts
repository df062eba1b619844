import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../api';
import { contact, fakeApi, interaction } from '../testing/fixtures';
import OfferDialog from './OfferDialog.svelte';

describe('OfferDialog', () => {
  it('names the contact and shows the first line of their message', () => {
    const { api } = fakeApi();
    render(OfferDialog, {
      api,
      interaction: interaction({ id: 7 }),
      contact: contact({ name: null, phone: '+15559990000' }),
      preview: 'My package never arrived',
      onAccepted: vi.fn(),
    });
    const dialog = screen.getByTestId('offer-dialog');
    expect(dialog).toHaveAttribute('data-interaction-id', '7');
    expect(screen.getByRole('dialog', { name: 'Incoming SMS from +15559990000' })).toBe(dialog);
    expect(dialog).toHaveTextContent('My package never arrived');
  });

  it('accepts through the api and opens the accepted interaction', async () => {
    const { api } = fakeApi();
    const onAccepted = vi.fn();
    render(OfferDialog, {
      api,
      interaction: interaction({ id: 7 }),
      contact: contact(),
      preview: 'hi',
      onAccepted,
    });
    await userEvent.setup().click(screen.getByTestId('offer-accept'));
    expect(api.acceptInteraction).toHaveBeenCalledExactlyOnceWith(7);
    expect(onAccepted).toHaveBeenCalledWith(expect.objectContaining({ id: 7, state: 'active' }));
  });

  it('says why an offer could not be accepted', async () => {
    const { api } = fakeApi();
    api.acceptInteraction.mockRejectedValueOnce(
      new ApiFailure('conflict', 'This SMS was offered to someone else.'),
    );
    const onAccepted = vi.fn();
    render(OfferDialog, {
      api,
      interaction: interaction(),
      contact: contact(),
      preview: undefined,
      onAccepted,
    });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Accept' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('offered to someone else');
    expect(onAccepted).not.toHaveBeenCalled();
  });

  it('counts down to the timeout and says what happens then', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const { api } = fakeApi();
      render(OfferDialog, {
        api,
        interaction: interaction({ id: 7, offeredAt: 1_000_000 }),
        contact: contact(),
        preview: 'hi',
        timeoutMs: 30_000,
        onAccepted: vi.fn(),
      });
      const countdown = screen.getByTestId('offer-countdown');
      expect(countdown).toHaveTextContent('Accept within 30 s, or you are set Not Ready');
      await vi.advanceTimersByTimeAsync(12_000);
      expect(countdown).toHaveTextContent('Accept within 18 s');
      await vi.advanceTimersByTimeAsync(18_000);
      expect(screen.getByTestId('offer-countdown')).toHaveTextContent(
        'Time is up: the SMS goes to another agent',
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows no countdown when offers wait', () => {
    const { api } = fakeApi();
    render(OfferDialog, {
      api,
      interaction: interaction(),
      contact: contact(),
      preview: undefined,
      timeoutMs: 0,
      onAccepted: vi.fn(),
    });
    expect(screen.queryByTestId('offer-countdown')).toBeNull();
  });

  it('declines through the api: the offer moves on', async () => {
    const { api } = fakeApi();
    const onAccepted = vi.fn();
    const onDeclined = vi.fn();
    render(OfferDialog, {
      api,
      interaction: interaction({ id: 9 }),
      contact: contact(),
      preview: 'hi',
      onAccepted,
      onDeclined,
    });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Decline' }));
    expect(api.declineInteraction).toHaveBeenCalledExactlyOnceWith(9);
    expect(onDeclined).toHaveBeenCalledWith(expect.objectContaining({ id: 9, state: 'queued' }));
    expect(onAccepted).not.toHaveBeenCalled();
  });
});
