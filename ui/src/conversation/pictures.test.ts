import { describe, expect, it } from 'vitest';
import { media } from '../testing/fixtures';
import { inOrder, pictureFileName, thumbnailBox, thumbnailSide } from './pictures';

describe('pictures', () => {
  it('suggests the same file name as the hub and the desktop, by type', () => {
    expect(pictureFileName(7, 12, 'image/jpeg')).toBe('parley-contact-7-picture-12.jpg');
    expect(pictureFileName(7, 12, 'image/png')).toBe('parley-contact-7-picture-12.png');
    expect(pictureFileName(7, 12, 'image/gif')).toBe('parley-contact-7-picture-12.gif');
    expect(pictureFileName(7, 12, 'image/webp')).toBe('parley-contact-7-picture-12.webp');
    // Anything else is saved as the JPEG the hub stores it as.
    expect(pictureFileName(7, 12, 'image/heic')).toBe('parley-contact-7-picture-12.jpg');
  });

  it('reserves a thumbnail box with the picture\'s proportions, at most the thumbnail side', () => {
    expect(thumbnailBox({ width: 800, height: 600 })).toEqual({ width: 200, height: 150 });
    expect(thumbnailBox({ width: 600, height: 1200 })).toEqual({ width: 100, height: 200 });
    // A small picture is not blown up.
    expect(thumbnailBox({ width: 64, height: 48 })).toEqual({ width: 64, height: 48 });
    // Sizes not known yet (a picture still being fetched) get a 4:3 box.
    expect(thumbnailBox({ width: null, height: null })).toEqual({
      width: thumbnailSide,
      height: 150,
    });
  });

  it('orders a message\'s pictures as the contact sent them', () => {
    const pictures = inOrder([media({ id: 2, position: 1 }), media({ id: 1, position: 0 })]);
    expect(pictures.map((picture) => picture.id)).toEqual([1, 2]);
  });
});
