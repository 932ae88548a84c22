/** @type {import('tailwindcss').Config} */
// Calm, professional palette (think Linear / GitHub issues): Tailwind's
// slate/zinc neutrals with indigo as the single accent colour.
// Dark mode follows the operating-system preference (prefers-color-scheme).
import colors from "tailwindcss/colors";

export default {
  // Only templates and scripts write class names: prose in Rust comments would add noise.
  content: ["./templates/**/*.html", "./static/js/**/*.js"],
  // Templates may build modifier classes at runtime (e.g. "badge-{{ priority }}"),
  // which the content scan cannot see; keep those design-system families.
  safelist: [{ pattern: /^(badge|alert|btn)-/ }],
  darkMode: "media",
  theme: {
    extend: {
      colors: {
        // Semantic aliases for templates that want them; the design system in
        // static/css/input.css uses the raw slate/indigo scales directly.
        brand: colors.indigo,
        muted: colors.zinc,
      },
      fontFamily: {
        sans: [
          "Inter",
          "ui-sans-serif",
          "system-ui",
          "-apple-system",
          "Segoe UI",
          "Roboto",
          "Helvetica Neue",
          "Arial",
          "sans-serif",
        ],
      },
    },
  },
  plugins: [],
};
