import type { Box, Polygon, Zone } from '@cameramonit/contracts';

/** Whether the point (normalised 0..1 coordinates) lies inside the polygon (even-odd rule; points on an edge may fall either way). */
export function pointInPolygon(x: number, y: number, polygon: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Where an object stands: the bottom centre of its box (pixels). */
export function referencePoint(box: Box): { x: number; y: number } {
  return { x: box.x + box.width / 2, y: box.y + box.height };
}

/**
 * A camera's zones and masks (normalised polygons from its analysis settings) laid over the
 * analysis frame. A box is placed by its reference point, the bottom centre: where the object
 * stands, so a person walking in front of a zone is not in it.
 */
export class SceneZones {
  constructor(
    private readonly zones: readonly Zone[],
    private readonly masks: readonly Polygon[],
    private readonly frameWidth: number,
    private readonly frameHeight: number,
  ) {}

  static none(): SceneZones {
    return new SceneZones([], [], 1, 1);
  }

  get hasZones(): boolean {
    return this.zones.length > 0;
  }

  /** Seconds an object may stay in the zone before it is loitering; null = never. */
  loiterSecOf(name: string): number | null {
    return this.zones.find((zone) => zone.name === name)?.loiterSec ?? null;
  }

  /** True when the object stands in a mask: its detection is ignored. */
  isMasked(box: Box): boolean {
    if (this.masks.length === 0) return false;
    const { x, y } = this.normalised(box);
    return this.masks.some((mask) => pointInPolygon(x, y, mask));
  }

  /** Names of the zones the object stands in, in the order of the settings. */
  zonesOf(box: Box): string[] {
    if (this.zones.length === 0) return [];
    const { x, y } = this.normalised(box);
    return this.zones.filter((zone) => pointInPolygon(x, y, zone.polygon)).map((zone) => zone.name);
  }

  private normalised(box: Box): { x: number; y: number } {
    const point = referencePoint(box);
    // the bottom edge of a box touching the frame's bottom is still inside the picture
    return { x: Math.min(point.x / this.frameWidth, 0.9999), y: Math.min(point.y / this.frameHeight, 0.9999) };
  }
}
