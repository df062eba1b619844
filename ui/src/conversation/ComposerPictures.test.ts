// Pictures in the composer: attached with the button, a drop or a paste, uploaded at once,
// shown as chips until the message carrying them is sent.

import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure, type Contact, type Upload } from '../api';
import {
  Attachments,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  type UploadPicture,
} from '../composer/attachments.svelte';
import { contact as contactFixture } from '../testing/fixtures';
import Composer from './Composer.svelte';

/** A picture file of `size` bytes. */
function picture(name: string, size = 1000, type = 'image/jpeg'): File {
  return new File([new Uint8Array(size)], name, { type });
}

/** What the hub answers for an upload: ids 700 onwards, in the order they were made. */
function uploader() {
  let nextId = 700;
  return vi.fn<UploadPicture>(
    async (file): Promise<Upload> => ({
      id: nextId++,
      contentType: file.type,
      size: file.size,
      width: 800,
      height: 600,
    }),
  );
}

/** An upload that finishes when the test says so. */
function heldUpload() {
  let finish: (upload: Upload) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const held = new Promise<Upload>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { held, finish, fail };
}

interface Setup {
  upload?: ReturnType<typeof vi.fn<UploadPicture>>;
  onSend?: ReturnType<typeof vi.fn<(body: string, uploadIds?: number[]) => Promise<void>>>;
  contact?: Contact;
  applyAccept?: boolean;
}

function setup({
  upload = uploader(),
  onSend = vi.fn(async (_body: string, _uploadIds?: number[]) => {}),
  contact,
  applyAccept = true,
}: Setup = {}) {
  let nextUrl = 1;
  const objectUrls = {
    create: vi.fn((_blob: Blob) => `blob:preview-${nextUrl++}`),
    revoke: vi.fn((_url: string) => {}),
  };
  const attachments = new Attachments(objectUrls);
  render(Composer, {
    placeholder: 'Write something...',
    onSend,
    onUpload: upload,
    attachments,
    contact,
  });
  return {
    upload,
    onSend,
    objectUrls,
    attachments,
    user: userEvent.setup({ applyAccept }),
    input: screen.getByTestId('composer-input'),
    fileInput: screen.getByTestId('composer-file-input') as HTMLInputElement,
    send: screen.getByTestId('composer-send'),
  };
}

const chips = () => screen.queryAllByTestId('composer-attachment');

/** A drag-and-drop's data as the browser gives it (jsdom has no `DataTransfer`). */
function dragData(files: File[]) {
  return { dataTransfer: { types: ['Files'], files, items: [] } };
}

describe('Composer: attaching pictures', () => {
  it('has an Attach pictures button whose picker asks for pictures, several at once', async () => {
    const { user, fileInput } = setup();
    const button = screen.getByRole('button', { name: 'Attach pictures' });
    expect(button).toBe(screen.getByTestId('composer-attach'));
    expect(fileInput).toHaveAttribute('type', 'file');
    expect(fileInput).toHaveAttribute('accept', 'image/jpeg,image/png,image/gif,image/webp');
    expect(fileInput.multiple).toBe(true);
    const opened = vi.fn();
    fileInput.addEventListener('click', opened);
    await user.click(button);
    expect(opened, 'the button opens the system\'s file picker').toHaveBeenCalledOnce();
  });

  it('shows a chip per picked picture with its preview and size, and uploads each at once', async () => {
    const { upload, user, fileInput, objectUrls } = setup();
    const first = picture('receipt.jpg', 48 * 1024);
    const second = picture('box.png', 1_300_000, 'image/png');
    await user.upload(fileInput, [first, second]);

    expect(upload.mock.calls.map(([file]) => file)).toEqual([first, second]);
    expect(objectUrls.create.mock.calls.map(([file]) => file)).toEqual([first, second]);
    const shown = chips();
    expect(shown).toHaveLength(2);
    expect(shown[0]).toHaveTextContent('receipt.jpg');
    expect(shown[0]).toHaveTextContent('48 KB');
    expect(shown[1]).toHaveTextContent('box.png');
    expect(shown[1]).toHaveTextContent('1.2 MB');
    expect(shown[0]!.querySelector('img')).toHaveAttribute('src', 'blob:preview-1');
    expect(shown[1]!.querySelector('img')).toHaveAttribute('src', 'blob:preview-2');
    await waitFor(() => expect(shown[1]).toHaveAttribute('data-state', 'uploaded'));
    expect(within(shown[1]!).getByRole('button', { name: 'Remove picture 2' })).toBeEnabled();
  });

  it('says a picture is uploading until the hub has it', async () => {
    const { held, finish } = heldUpload();
    const upload = vi.fn<UploadPicture>(() => held);
    const { user, fileInput } = setup({ upload });
    await user.upload(fileInput, picture('receipt.jpg'));
    const [chip] = chips();
    expect(chip).toHaveAttribute('data-state', 'uploading');
    expect(chip).toHaveAttribute('aria-busy', 'true');
    expect(chip).toHaveTextContent('Uploading…');
    finish({ id: 700, contentType: 'image/jpeg', size: 1000, width: 8, height: 6 });
    await waitFor(() => expect(chip).toHaveAttribute('data-state', 'uploaded'));
    expect(chip).not.toHaveTextContent('Uploading');
  });

  it('uploads a picture pasted into the message field, and leaves the text alone', async () => {
    const { upload, input } = setup();
    const pasted = picture('image.png', 2000, 'image/png');
    const event = await fireEvent.paste(input, {
      clipboardData: { types: ['Files'], files: [pasted], items: [] },
    });
    expect(event, 'the picture is not pasted as text').toBe(false);
    expect(upload).toHaveBeenCalledExactlyOnceWith(pasted);
    expect(chips()).toHaveLength(1);
    expect(input).toHaveValue('');
  });

  it('reads a pasted picture from the clipboard\'s items when it lists no files', async () => {
    const { upload, input } = setup();
    const pasted = new Blob([new Uint8Array(10)], { type: 'image/png' });
    await fireEvent.paste(input, {
      clipboardData: {
        types: ['Files'],
        files: [],
        items: [{ kind: 'file', type: 'image/png', getAsFile: () => pasted }],
      },
    });
    expect(upload).toHaveBeenCalledExactlyOnceWith(pasted);
    expect(chips()[0]).toHaveTextContent('Pasted picture');
  });

  it('pastes text as text, and the text of Word or Excel rather than its picture', async () => {
    const { upload, input } = setup();
    const office = await fireEvent.paste(input, {
      clipboardData: {
        types: ['text/plain', 'text/html', 'Files'],
        files: [picture('image.png', 10, 'image/png')],
        items: [],
      },
    });
    expect(office, 'the browser pastes the text').toBe(true);
    await fireEvent.paste(input, { clipboardData: { types: ['text/plain'], files: [], items: [] } });
    expect(upload).not.toHaveBeenCalled();
    expect(chips()).toHaveLength(0);
  });

  it('highlights the composer while pictures are dragged over it, and uploads those dropped', async () => {
    const { upload } = setup();
    const composer = screen.getByTestId('composer');
    const dropped = picture('photo.webp', 5000, 'image/webp');
    expect(screen.queryByTestId('composer-drop-hint')).toBeNull();

    await fireEvent.dragEnter(composer, dragData([]));
    expect(composer).toHaveClass('dropping');
    expect(screen.getByTestId('composer-drop-hint')).toHaveTextContent('Drop pictures to attach');
    // Moving onto the field inside enters it before leaving the composer: still highlighted.
    await fireEvent.dragEnter(screen.getByTestId('composer-input'), dragData([]));
    await fireEvent.dragLeave(composer, dragData([]));
    expect(composer).toHaveClass('dropping');
    expect(await fireEvent.dragOver(composer, dragData([])), 'the drop is accepted').toBe(false);

    expect(await fireEvent.drop(composer, dragData([dropped]))).toBe(false);
    expect(composer).not.toHaveClass('dropping');
    expect(upload).toHaveBeenCalledExactlyOnceWith(dropped);
    expect(chips()).toHaveLength(1);
  });

  it('drops the highlight when the files are dragged away', async () => {
    setup();
    const composer = screen.getByTestId('composer');
    await fireEvent.dragEnter(composer, dragData([]));
    await fireEvent.dragLeave(composer, dragData([]));
    expect(composer).not.toHaveClass('dropping');
    expect(screen.queryByTestId('composer-drop-hint')).toBeNull();
  });
});

describe('Composer: what a message can carry', () => {
  it(`refuses an ${MAX_ATTACHMENTS + 1}th picture before uploading it`, async () => {
    const { upload, user, fileInput } = setup();
    const ten = Array.from({ length: MAX_ATTACHMENTS }, (_, index) => picture(`${index}.jpg`));
    await user.upload(fileInput, ten);
    expect(chips()).toHaveLength(10);
    expect(screen.queryByTestId('composer-attach-error')).toBeNull();

    await user.upload(fileInput, picture('eleventh.jpg'));
    expect(screen.getByTestId('composer-attach-error')).toHaveTextContent(
      'At most 10 pictures can go with one message',
    );
    expect(chips()).toHaveLength(10);
    expect(upload).toHaveBeenCalledTimes(10);
  });

  it('takes the pictures that fit of several picked, and refuses the rest', async () => {
    const { upload, user, fileInput } = setup();
    await user.upload(
      fileInput,
      Array.from({ length: 8 }, (_, index) => picture(`${index}.jpg`)),
    );
    await user.upload(fileInput, [picture('a.jpg'), picture('b.jpg'), picture('c.jpg')]);
    expect(chips()).toHaveLength(10);
    expect(upload.mock.calls.map(([file]) => (file as File).name).slice(8)).toEqual([
      'a.jpg',
      'b.jpg',
    ]);
    expect(screen.getByRole('alert')).toHaveTextContent('At most 10 pictures');
  });

  it('refuses pictures larger than 5 MB together before uploading them', async () => {
    const { upload, user, fileInput } = setup();
    await user.upload(fileInput, picture('first.jpg', 3 * 1024 * 1024));
    await user.upload(fileInput, picture('second.jpg', 3 * 1024 * 1024));
    expect(screen.getByTestId('composer-attach-error')).toHaveTextContent(
      'The pictures together are larger than 5 MB, the most one message can carry',
    );
    expect(chips()).toHaveLength(1);
    expect(upload).toHaveBeenCalledOnce();

    // Exactly 5 MB together is allowed.
    await user.upload(fileInput, picture('rest.jpg', MAX_ATTACHMENT_BYTES - 3 * 1024 * 1024));
    expect(chips()).toHaveLength(2);
    expect(screen.queryByTestId('composer-attach-error')).toBeNull();
  });

  it('refuses a file that is not a JPEG, PNG, GIF or WebP picture', async () => {
    // The system's picker can be told to show every file; the composer checks again.
    const { upload, user, fileInput } = setup({ applyAccept: false });
    await user.upload(fileInput, [
      new File(['%PDF-1.7'], 'invoice.pdf', { type: 'application/pdf' }),
      picture('photo.heic', 1000, 'image/heic'),
    ]);
    expect(screen.getByTestId('composer-attach-error')).toHaveTextContent(
      'Only JPEG, PNG, GIF and WebP pictures can be sent: picture 1 of 2 (invoice.pdf, ' +
        'application/pdf, 8 bytes) and picture 2 of 2 (photo.heic, image/heic, 1000 bytes) were not attached.',
    );
    expect(upload).not.toHaveBeenCalled();
    expect(chips()).toHaveLength(0);

    // A dropped one too, beside a picture that can go.
    const good = picture('good.gif', 100, 'image/gif');
    await fireEvent.drop(
      screen.getByTestId('composer'),
      dragData([new File(['hi'], 'notes.txt', { type: 'text/plain' }), good]),
    );
    expect(upload).toHaveBeenCalledExactlyOnceWith(good);
    expect(screen.getByTestId('composer-attach-error')).toHaveTextContent('Only JPEG, PNG');
  });
});

describe('Composer: sending pictures', () => {
  it('sends pictures without text, with their upload ids, and clears them once sent', async () => {
    const { onSend, user, fileInput, send, objectUrls } = setup();
    expect(send).toBeDisabled();
    await user.upload(fileInput, [picture('a.jpg'), picture('b.png', 10, 'image/png')]);
    await waitFor(() => expect(send).toBeEnabled());
    await user.click(send);
    expect(onSend).toHaveBeenCalledExactlyOnceWith('', [700, 701]);
    await waitFor(() => expect(chips()).toHaveLength(0));
    expect(objectUrls.revoke.mock.calls.map(([url]) => url)).toEqual([
      'blob:preview-1',
      'blob:preview-2',
    ]);
  });

  it('sends the text with the pictures on Enter', async () => {
    const { onSend, user, fileInput, input } = setup();
    await user.upload(fileInput, picture('a.jpg'));
    await user.type(input, 'Here is the label{Enter}');
    expect(onSend).toHaveBeenCalledExactlyOnceWith('Here is the label', [700]);
    await waitFor(() => expect(input).toHaveValue(''));
    expect(chips()).toHaveLength(0);
  });

  it('waits for the uploads to finish before sending', async () => {
    const { held, finish } = heldUpload();
    const upload = vi.fn<UploadPicture>(() => held);
    const { onSend, user, fileInput, send } = setup({ upload });
    await user.upload(fileInput, picture('a.jpg'));
    expect(send, 'Send is offered while the picture uploads').toBeEnabled();
    await user.click(send);
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByText(/goes once the pictures have uploaded/)).toBeInTheDocument();
    finish({ id: 742, contentType: 'image/jpeg', size: 1000, width: 8, height: 6 });
    await waitFor(() => expect(onSend).toHaveBeenCalledExactlyOnceWith('', [742]));
  });

  it('keeps the pictures and the text when the send fails', async () => {
    const onSend = vi.fn(async (_body: string, _uploadIds?: number[]) => {
      throw new ApiFailure('unavailable', 'Cannot reach the hub. Check the network connection.');
    });
    const { user, fileInput, input, objectUrls } = setup({ onSend });
    await user.upload(fileInput, picture('a.jpg'));
    await user.type(input, 'The label{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the hub');
    expect(chips()).toHaveLength(1);
    expect(input).toHaveValue('The label');
    expect(objectUrls.revoke).not.toHaveBeenCalled();
  });

  it('removes a picture with its Remove button, which then does not go', async () => {
    const { onSend, user, fileInput, send, objectUrls, input } = setup();
    await user.upload(fileInput, [picture('first.jpg'), picture('second.jpg')]);
    await user.click(screen.getByRole('button', { name: 'Remove picture 1' }));
    expect(chips()).toHaveLength(1);
    expect(chips()[0]).toHaveTextContent('second.jpg');
    expect(objectUrls.revoke).toHaveBeenCalledExactlyOnceWith('blob:preview-1');
    expect(input, 'the agent goes on writing').toHaveFocus();
    // The remaining one is now picture 1.
    expect(screen.getByRole('button', { name: 'Remove picture 1' })).toBeInTheDocument();
    await user.click(send);
    expect(onSend).toHaveBeenCalledExactlyOnceWith('', [701]);
  });

  it('shows why a picture did not upload, and sends nothing until it is removed', async () => {
    const upload = uploader();
    upload.mockRejectedValueOnce(
      new ApiFailure(
        'badRequest',
        'this picture cannot be sent: it is damaged (JPEG, PNG, GIF and WebP up to 5 MB can)',
      ),
    );
    const { onSend, user, fileInput, input, send } = setup({ upload });
    await user.upload(fileInput, [picture('broken.jpg'), picture('fine.jpg')]);
    const broken = chips()[0]!;
    await waitFor(() => expect(broken).toHaveAttribute('data-state', 'failed'));
    expect(within(broken).getByTestId('composer-attachment-error')).toHaveTextContent(
      'this picture cannot be sent: it is damaged',
    );
    expect(screen.getByTestId('composer-attachment-blocked')).toHaveTextContent(
      /^Picture 1 of 2 \(broken\.jpg, image\/jpeg, [^)]+\) did not upload\. Remove it to send the message\.$/,
    );

    await user.type(input, 'Here you go{Enter}');
    expect(send).toBeDisabled();
    expect(onSend).not.toHaveBeenCalled();

    await user.click(within(broken).getByRole('button', { name: 'Remove picture 1' }));
    expect(screen.queryByTestId('composer-attachment-blocked')).toBeNull();
    await user.click(send);
    // The hub gave an id to the picture that uploaded only.
    expect(onSend).toHaveBeenCalledExactlyOnceWith('Here you go', [700]);
  });

  it('stops a send waiting for an upload that fails, and keeps the message', async () => {
    const { held, fail } = heldUpload();
    const upload = vi.fn<UploadPicture>(() => held);
    const { onSend, user, fileInput, input, send } = setup({ upload });
    await user.upload(fileInput, picture('a.jpg'));
    await user.type(input, 'Look{Enter}');
    fail(new ApiFailure('badRequest', 'this picture cannot be sent: it is not a picture'));
    await waitFor(() => expect(chips()[0]).toHaveAttribute('data-state', 'failed'));
    expect(onSend).not.toHaveBeenCalled();
    expect(input).toHaveValue('Look');
    expect(send).toBeDisabled();
  });

  it('says when an upload failed without the hub\'s words', async () => {
    const upload = vi.fn<UploadPicture>(async () => {
      throw new TypeError('Failed to fetch');
    });
    const { user, fileInput } = setup({ upload });
    await user.upload(fileInput, picture('a.jpg'));
    expect(await screen.findByTestId('composer-attachment-error')).toHaveTextContent(
      'The picture did not upload.',
    );
  });
});

describe('Composer: pictures to a contact who opted out', () => {
  it('takes no pictures by button, drop or paste', async () => {
    const { upload, input } = setup({ contact: contactFixture({ optedOut: true }) });
    expect(screen.getByTestId('composer-attach')).toBeDisabled();
    expect(screen.getByTestId('composer-file-input')).toBeDisabled();
    const composer = screen.getByTestId('composer');
    await fireEvent.dragEnter(composer, dragData([]));
    expect(composer, 'no invitation to drop').not.toHaveClass('dropping');
    await fireEvent.drop(composer, dragData([picture('a.jpg')]));
    await fireEvent.paste(input, { clipboardData: { types: ['Files'], files: [picture('b.jpg')], items: [] } });
    expect(upload).not.toHaveBeenCalled();
    expect(chips()).toHaveLength(0);
  });
});

describe('Composer without uploads', () => {
  it('takes text only: no Attach button, and a dropped file is left to the page', async () => {
    render(Composer, { placeholder: 'Write something...', onSend: vi.fn(async () => {}) });
    expect(screen.queryByTestId('composer-attach')).toBeNull();
    expect(screen.queryByTestId('composer-file-input')).toBeNull();
    expect(await fireEvent.drop(screen.getByTestId('composer'), dragData([picture('a.jpg')]))).toBe(true);
    expect(chips()).toHaveLength(0);
  });
});
