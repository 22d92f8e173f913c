// The crowd levels in one place for the viewer: their order, words and colours come from vocabulary.json's crowdLevels
// (the list the server's rule and the SQL checks read), and the colour of an area by its count against its capacity.
import { pick } from "../i18n.js";
import { vocabulary } from "../vocabulary.js";

const section = vocabulary.crowdLevels ?? {};
/** Least severe first (normal, yellow, orange, red), as the file lists them. */
export const CROWD_LEVELS = Object.keys(section).filter((k) => !k.startsWith("_"));
export const levelColour = (level) => section[level]?.color ?? "#9aa5b1";
/** "label" names the level (legend), "event" says a change to it (alerts feed). */
export const levelWords = (level, which = "label") => (section[level]?.[which] ? pick(section[level][which]) : String(level ?? "—"));
/** How loud an area at this level is in the alerts feed. */
export const levelAlert = (level) => ({ red: "critical", orange: "warning", yellow: "info" })[level] ?? null;
