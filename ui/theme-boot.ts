/**
 * The first script of the page, loaded in <head> before it draws anything (a tiny blocking
 * script: an inline one would need the CSP to allow inline scripts): the chosen theme is on the
 * root before the first paint, so a dark choice never flashes light.
 */
import { followTheme } from "./theme-apply.ts";

followTheme();
