// Colour labels as XMP writes them: xmp:Label "Red", "Yellow", "Green", "Blue", "Purple" (Lightroom's and Bridge's default set).
import { PHOTO_COLORS, type PhotoColor } from '../../src-shared/api/schemas';

export const labelOfColor = (color: PhotoColor): string => color[0]!.toUpperCase() + color.slice(1);

/** The colour an xmp:Label names (any case); null for no label or a custom one ("To Do", "Approved"). */
export function colorOfLabel(label: string | undefined | null): PhotoColor | null {
  const c = label?.trim().toLowerCase();
  return (PHOTO_COLORS as readonly string[]).includes(c ?? '') ? (c as PhotoColor) : null;
}
