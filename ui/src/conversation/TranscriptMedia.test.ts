import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure, type Media, type MediaSize } from '../api';
import { media, message } from '../testing/fixtures';
import { pictureFileName, type PictureActions } from './pictures';
import Transcript from './Transcript.svelte';

/** Picture actions whose calls are spies; `released` lists the sources given back. */
function fakePictures(overrides: Partial<PictureActions> = {}) {
  const released: string[] = [];
  const source = vi.fn(async (mediaId: number, size: MediaSize) => {
    const url = `blob:picture-${mediaId}-${size}`;
    return { url, release: () => released.push(url) };
  });
  const pictures = {
    source,
    canSave: false,
    save: vi.fn(async (picture: Media, contactId: number) =>
      pictureFileName(contactId, picture.id, picture.contentType),
    ),
    ...overrides,
  } satisfies PictureActions;
  return { pictures, released, source };
}

const mms = message({
  id: 1,
  contactId: 10,
  body: 'Here is the damage',
  media: [
    media({ id: 51, position: 1, state: 'pending', width: null, height: null, digest: null }),
    media({ id: 50, position: 0, state: 'ready', width: 1200, height: 900 }),
    media({ id: 52, position: 2, state: 'issue', issue: 'corrupt' }),
  ],
});

function renderMms(pictures: PictureActions, messages = [mms]) {
  return render(Transcript, { label: 'Carla', messages, pictures });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Transcript: pictures (MMS)', () => {
  it('shows a thumbnail per picture by its state, in the order they were sent', async () => {
    const { pictures, source } = fakePictures();
    renderMms(pictures);

    const thumbnails = screen.getAllByTestId('media-thumbnail');
    // The picture with an issue has its line instead of a thumbnail.
    expect(thumbnails.map((thumbnail) => thumbnail.dataset.state)).toEqual(['ready', 'pending']);
    expect(thumbnails[1]).toHaveTextContent('Loading picture…');
    expect(thumbnails[1]).toHaveAccessibleName('Picture 2 from Carla, loading');

    const image = await within(thumbnails[0]!).findByRole('img');
    expect(image).toHaveAttribute('src', 'blob:picture-50-thumbnail');
    expect(image).toHaveAttribute('alt', 'Picture 1 from Carla');
    expect(image).toHaveAttribute('loading', 'lazy');
    // The box is known before the picture arrives, so the transcript does not jump.
    expect(image).toHaveAttribute('width', '200');
    expect(image).toHaveAttribute('height', '150');
    // Only the ready picture is loaded, and only as a thumbnail.
    expect(source.mock.calls).toEqual([[50, 'thumbnail']]);
    expect(screen.getByTestId('message')).toHaveTextContent('Here is the damage');
  });

  it('says which picture could not be shown and why, with the advice for its issue', () => {
    const { pictures } = fakePictures();
    renderMms(pictures);
    const issue = screen.getByTestId('attachment-issue');
    // The third of the message's pictures, by the order they were sent, as its type and size.
    expect(issue).toHaveTextContent(
      'Picture 3 of 3 (image/jpeg, 47 KB) could not be shown: the file is damaged. Ask the contact to send it again.',
    );
    expect(issue).toHaveAttribute('data-media-id', '52');
  });

  it('tells apart a picture the carrier did not hand over from one of a type Parley does not show', () => {
    const { pictures } = fakePictures();
    renderMms(pictures, [
      message({
        id: 3,
        body: '',
        media: [
          media({ id: 60, position: 0, state: 'issue', issue: 'fetchFailed', size: null }),
          media({ id: 61, position: 1, state: 'issue', issue: 'unsupportedType', contentType: 'image/heic', size: 1_300_000 }),
        ],
      }),
    ]);
    const [fetchFailed, unsupported] = screen.getAllByTestId('attachment-issue');
    expect(fetchFailed).toHaveTextContent(
      'Picture 1 of 2 (image/jpeg) could not be shown: it could not be downloaded from the carrier. Ask the contact to send it again in a few minutes.',
    );
    expect(fetchFailed, 'nothing is wrong with a file that never arrived').not.toHaveTextContent(
      /format|type/,
    );
    expect(unsupported).toHaveTextContent(
      'Picture 2 of 2 (image/heic, 1.2 MB) could not be shown: Parley shows only JPEG, PNG, GIF and WebP pictures.',
    );
  });

  it('shows no empty bubble for a picture sent without text', () => {
    const { pictures } = fakePictures();
    renderMms(pictures, [message({ id: 2, body: '', media: [media()] })]);
    expect(screen.getByTestId('message').querySelector('.bubble')).toBeNull();
    expect(screen.getByTestId('media-thumbnail')).toBeInTheDocument();
  });

  it('gives the thumbnail back once it is no longer shown', async () => {
    const { pictures, released } = fakePictures();
    const { unmount } = renderMms(pictures);
    await screen.findByRole('img', { name: 'Picture 1 from Carla' });
    unmount();
    expect(released).toEqual(['blob:picture-50-thumbnail']);
  });

  it('loads a thumbnail only once it comes near the visible part of the transcript', async () => {
    const observers: { callback: IntersectionObserverCallback; targets: Element[] }[] = [];
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        readonly targets: Element[] = [];
        constructor(readonly callback: IntersectionObserverCallback) {
          observers.push(this);
        }
        observe(target: Element) {
          this.targets.push(target);
        }
        disconnect() {}
      },
    );
    const { pictures, source } = fakePictures();
    renderMms(pictures);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source, 'nothing loads while out of sight').not.toHaveBeenCalled();

    const [observer] = observers;
    observer!.callback(
      [{ isIntersecting: true, target: observer!.targets[0]! } as IntersectionObserverEntry],
      observer as unknown as IntersectionObserver,
    );
    expect(await screen.findByRole('img', { name: 'Picture 1 from Carla' })).toHaveAttribute(
      'src',
      'blob:picture-50-thumbnail',
    );
  });

  it('has no Save, on the picture or in its menu, without the save permission', async () => {
    const { pictures } = fakePictures({ canSave: false });
    renderMms(pictures);
    const user = userEvent.setup();
    expect(screen.queryByTestId('media-save')).toBeNull();

    await user.pointer({ keys: '[MouseRight]', target: screen.getAllByTestId('media-thumbnail')[0]! });
    const menu = screen.getByTestId('media-context-menu');
    expect(within(menu).getAllByRole('menuitem').map((item) => item.textContent?.trim())).toEqual([
      'Open',
    ]);
  });

  it('saves with the Save icon on the picture when the agent may, and says where', async () => {
    const { pictures } = fakePictures({ canSave: true });
    renderMms(pictures);
    const user = userEvent.setup();

    const save = screen.getByTestId('media-save');
    expect(save).toHaveAccessibleName('Save Picture 1 from Carla');
    await user.click(save);
    expect(pictures.save).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ id: 50 }),
      10,
    );
    expect(await screen.findByTestId('media-notice')).toHaveTextContent(
      'Saved: parley-contact-10-picture-50.jpg',
    );
  });

  it('keeps Save small in the corner of a picture, and beside one too small to carry it', () => {
    const { pictures } = fakePictures({ canSave: true });
    renderMms(pictures, [
      message({
        id: 4,
        body: '',
        media: [
          media({ id: 70, position: 0, width: 1200, height: 900 }),
          // A sticker-sized picture: 48 × 48.
          media({ id: 71, position: 1, width: 48, height: 48 }),
        ],
      }),
    ]);
    const [large, small] = screen.getAllByTestId('media-thumbnail').map((thumbnail) => thumbnail.parentElement!);
    const [onLarge, besideSmall] = screen.getAllByTestId('media-save');
    expect(onLarge).toHaveAttribute('data-placement', 'corner');
    expect(large, 'in the corner of the large picture').toContainElement(onLarge!);
    expect(besideSmall).toHaveAttribute('data-placement', 'beside');
    expect(small, 'never over the small one').not.toContainElement(besideSmall!);
    expect(small!.nextElementSibling, 'right beside it').toBe(besideSmall);
    expect(besideSmall).toHaveAccessibleName('Save Picture 2 from Carla');
  });

  it('says nothing when the agent cancels the save dialog, and why a save failed', async () => {
    const save = vi
      .fn<PictureActions['save']>()
      .mockResolvedValueOnce(null)
      .mockRejectedValueOnce(new ApiFailure('forbidden', 'saving pictures needs the save-media permission'));
    const { pictures } = fakePictures({ canSave: true, save });
    renderMms(pictures);
    const user = userEvent.setup();

    await user.click(screen.getByTestId('media-save'));
    expect(save).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('media-notice')).toBeNull();

    await user.click(screen.getByTestId('media-save'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The picture was not saved: saving pictures needs the save-media permission',
    );
  });

  it('opens the full-size picture in the page\'s viewer on double-click; Escape closes it', async () => {
    const { pictures, released } = fakePictures();
    renderMms(pictures);
    const user = userEvent.setup();
    const thumbnail = screen.getAllByTestId('media-thumbnail')[0]!;

    await user.dblClick(thumbnail);
    const viewer = screen.getByTestId('media-viewer');
    expect(viewer).toHaveAttribute('aria-modal', 'true');
    expect(viewer).toHaveAccessibleName('Picture 1 from Carla');
    expect(await within(viewer).findByRole('img')).toHaveAttribute('src', 'blob:picture-50-full');
    // The focus moves into the dialog, and Tab keeps it there.
    expect(within(viewer).getByTestId('media-viewer-close')).toHaveFocus();
    await user.tab();
    expect(within(viewer).getByTestId('media-viewer-close')).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('media-viewer')).toBeNull();
    expect(thumbnail, 'the focus goes back to the picture').toHaveFocus();
    expect(released).toContain('blob:picture-50-full');
  });

  it('opens the viewer with Enter on the focused picture', async () => {
    const { pictures } = fakePictures();
    renderMms(pictures);
    const user = userEvent.setup();
    const thumbnail = screen.getAllByTestId('media-thumbnail')[0]!;
    thumbnail.focus();

    await user.keyboard('{Enter}');
    expect(screen.getByTestId('media-viewer')).toBeInTheDocument();
    await user.click(screen.getByTestId('media-viewer-close'));
    expect(screen.queryByTestId('media-viewer')).toBeNull();
    expect(thumbnail).toHaveFocus();
  });

  it('opens the picture in the system\'s app where the host can, with no viewer', async () => {
    const open = vi.fn<NonNullable<PictureActions['open']>>(async () => {});
    const { pictures } = fakePictures({ open });
    renderMms(pictures);
    const user = userEvent.setup();

    await user.dblClick(screen.getAllByTestId('media-thumbnail')[0]!);
    expect(open).toHaveBeenCalledExactlyOnceWith(50);
    expect(screen.queryByTestId('media-viewer')).toBeNull();

    open.mockRejectedValueOnce(new ApiFailure('internal', 'no app opens JPEG files'));
    screen.getAllByTestId('media-thumbnail')[0]!.focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The picture did not open: no app opens JPEG files',
    );
  });

  it('opens the context menu with Shift+F10, walks it with the arrows, and Escape leaves it', async () => {
    const { pictures } = fakePictures({ canSave: true });
    renderMms(pictures);
    const user = userEvent.setup();
    const thumbnail = screen.getAllByTestId('media-thumbnail')[0]!;
    thumbnail.focus();

    await user.keyboard('{Shift>}{F10}{/Shift}');
    const menu = screen.getByTestId('media-context-menu');
    expect(menu).toHaveAccessibleName('Picture 1 from Carla');
    expect(within(menu).getByTestId('media-open')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(within(menu).getByTestId('media-menu-save')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(within(menu).getByTestId('media-open')).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('media-context-menu')).toBeNull();
    expect(thumbnail).toHaveFocus();
  });

  it('opens the context menu with the menu key, and its Open and Save do what they say', async () => {
    const { pictures } = fakePictures({ canSave: true });
    renderMms(pictures);
    const user = userEvent.setup();
    const thumbnail = screen.getAllByTestId('media-thumbnail')[0]!;
    thumbnail.focus();

    await user.keyboard('{ContextMenu}');
    await user.click(within(screen.getByTestId('media-context-menu')).getByTestId('media-menu-save'));
    expect(pictures.save).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ id: 50 }), 10);
    expect(screen.queryByTestId('media-context-menu')).toBeNull();

    await user.pointer({ keys: '[MouseRight]', target: thumbnail });
    await user.click(screen.getByTestId('media-open'));
    expect(screen.getByTestId('media-viewer')).toBeInTheDocument();
  });

  it('closes the context menu on a click elsewhere', async () => {
    const { pictures } = fakePictures();
    renderMms(pictures);
    const user = userEvent.setup();
    await user.pointer({ keys: '[MouseRight]', target: screen.getAllByTestId('media-thumbnail')[0]! });
    expect(screen.getByTestId('media-context-menu')).toBeInTheDocument();
    await user.click(screen.getByTestId('transcript'));
    expect(screen.queryByTestId('media-context-menu')).toBeNull();
  });
});

describe('Transcript: messages not delivered', () => {
  const outbound = { direction: 'outbound', agentId: 1, contactId: 10 } as const;

  it('says why under the message, from the carrier\'s table, or by its code or none', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 1, createdAt: 1, status: 'undelivered', errorCode: 30003, ...outbound }),
        message({ id: 2, createdAt: 2, status: 'failed', errorCode: 39999, ...outbound }),
        message({ id: 3, createdAt: 3, status: 'failed', errorCode: null, ...outbound }),
        message({ id: 4, createdAt: 4, status: 'delivered', ...outbound }),
      ],
      onRetry: async () => {},
    });
    const rendered = screen.getAllByTestId('message');
    const problems = rendered.map(
      (element) => within(element).queryByTestId('delivery-problem')?.textContent ?? null,
    );
    expect(problems[0]).toContain('The phone is switched off or out of coverage.');
    expect(problems[1]).toContain('The message was not delivered (error 39999).');
    expect(problems[2]).toContain('The message was not sent.');
    expect(problems[3]).toBeNull();
    expect(screen.getAllByTestId('message-retry')).toHaveLength(3);
  });

  it('sends the message again with Retry, showing the progress and a refusal', async () => {
    let finish: () => void = () => {};
    const onRetry = vi
      .fn<(messageId: number) => Promise<void>>()
      .mockImplementationOnce(() => new Promise<void>((resolve) => (finish = resolve)))
      .mockRejectedValueOnce(new ApiFailure('optedOut', 'the contact opted out of texts'));
    render(Transcript, {
      label: 'Carla',
      messages: [message({ id: 7, status: 'failed', errorCode: 30008, ...outbound })],
      onRetry,
    });
    const user = userEvent.setup();
    const retry = screen.getByTestId('message-retry');
    expect(retry).toHaveTextContent('Retry');

    await user.click(retry);
    expect(onRetry).toHaveBeenCalledExactlyOnceWith(7);
    expect(retry).toHaveTextContent('Retrying…');
    expect(retry).toBeDisabled();
    finish();
    await waitFor(() => expect(retry).toHaveTextContent('Retry'));
    expect(retry).toBeEnabled();

    await user.click(retry);
    expect(await screen.findByTestId('message-retry-error')).toHaveTextContent(
      'It was not sent again: the contact opted out of texts',
    );
  });

  it('offers no Retry where it cannot be used', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [message({ id: 7, status: 'failed', errorCode: 30008, ...outbound })],
    });
    expect(screen.getByTestId('delivery-problem')).toBeInTheDocument();
    expect(screen.queryByTestId('message-retry')).toBeNull();
  });

  it('offers Retry only where another try may get through', () => {
    render(Transcript, {
      label: 'Carla',
      messages: [
        message({ id: 1, createdAt: 1, status: 'failed', errorCode: 21211, ...outbound }),
        message({ id: 2, createdAt: 2, status: 'undelivered', errorCode: 30006, ...outbound }),
        message({ id: 3, createdAt: 3, status: 'failed', errorCode: 21610, ...outbound }),
        message({ id: 4, createdAt: 4, status: 'failed', errorCode: 30001, ...outbound }),
      ],
      onRetry: async () => {},
    });
    const retries = screen
      .getAllByTestId('message')
      .map((element) => within(element).queryByTestId('message-retry') !== null);
    expect(retries).toEqual([false, false, false, true]);
    expect(screen.getAllByTestId('delivery-problem')[0]).toHaveTextContent(
      'The number is incorrect.',
    );
  });

  it('shows what became of a retry, down to a second failure', async () => {
    const onRetry = vi.fn<(messageId: number) => Promise<void>>(async () => {});
    const failed = message({ id: 7, status: 'failed', errorCode: 30001, ...outbound });
    const { rerender } = render(Transcript, { label: 'Carla', messages: [failed], onRetry });
    await userEvent.setup().click(screen.getByTestId('message-retry'));
    await rerender({ label: 'Carla', messages: [{ ...failed, status: 'queued', errorCode: null }], onRetry });
    expect(screen.getByTestId('message-retry-outcome')).toHaveTextContent(
      'Sent again: waiting for the carrier…',
    );
    await rerender({ label: 'Carla', messages: [failed], onRetry });
    expect(screen.getByTestId('message-retry-outcome')).toHaveTextContent(
      'Sent again, and it did not go through this time either.',
    );
  });
});

describe('Transcript: who wrote each text', () => {
  it('names the author of every outbound text: "You", or the colleague who wrote it', () => {
    render(Transcript, {
      label: 'Carla',
      me: { id: 1, name: 'Ana Ruiz' },
      messages: [
        message({ id: 1, createdAt: 1, body: 'Hi' }),
        message({ id: 2, createdAt: 2, direction: 'outbound', agentId: 1, agentName: 'Ana Ruiz', status: 'sent' }),
        message({ id: 3, createdAt: 3, direction: 'outbound', agentId: 2, agentName: 'Ben Ortiz', status: 'sent' }),
      ],
    });
    const authors = screen
      .getAllByTestId('message')
      .map((element) => within(element).queryByTestId('message-author')?.textContent ?? null);
    expect(authors).toEqual([null, 'You', 'Ben Ortiz']);
  });
});
