// End-to-end tests in Debian's Chromium (never a downloaded browser: the machine has no internet).
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.mjs",
  timeout: 60_000,
  workers: 2,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    // The pages' texts follow the browser's language; the tests read English, in UTC,
    // whatever the machine's LANG and TZ (tests that need another language set their own).
    locale: "en-US",
    timezoneId: "UTC",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
});
