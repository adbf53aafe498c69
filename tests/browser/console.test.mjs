// End-to-end test of the admin console in Debian's Chromium, driven by playwright-core.
//
// scripts/test-browser starts scimd on 127.0.0.1 and passes, through the environment:
//   SCIMD_URL          base URL of that scimd, e.g. http://127.0.0.1:41234
//   ADMIN_KEY          an org admin key of a fresh organization
//   SECOND_ADMIN_KEY   another admin key of the same organization (revoked during the test)
//   SCREENSHOT_DIR     where to save one screenshot per page
//   PROFILE_DIR        an empty folder for Chromium's profile
// Prints one line per check and ends with "browser: N passed, M failed"; exits 1 on failure.

import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {chromium} from 'playwright-core';

const env = (name) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
};
const BASE = env('SCIMD_URL').replace(/\/$/, '');
const ADMIN_KEY = env('ADMIN_KEY');
const SECOND_ADMIN_KEY = env('SECOND_ADMIN_KEY');
const SCREENSHOTS = env('SCREENSHOT_DIR');
const PROFILE = env('PROFILE_DIR');
const ORIGIN = new URL(BASE).origin;
if (new URL(BASE).hostname !== '127.0.0.1') throw new Error('SCIMD_URL must be on 127.0.0.1');

let passed = 0;
let failed = 0;
const results = [];

async function check(name, body) {
    try {
        await body();
        passed += 1;
        results.push(`ok   ${name}`);
        console.log(`ok   ${name}`);
    } catch (error) {
        failed += 1;
        const text = String(error?.message || error).split('\n')[0];
        console.log(`FAIL ${name}: ${text}`);
    }
}

function assert(condition, message) {
    if (!condition) throw new Error(message);
}

// Direct calls to the same server, as an identity provider or operator would make them.
async function call(method, path, token, body) {
    const headers = {Accept: 'application/json'};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${BASE}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
    });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return {status: response.status, headers: response.headers, json, text};
}

// The visible outcome of an action. The same words also reach the screen-reader announcer a moment
// later, so an unscoped getByText would match one or two elements depending on timing.
function statusMessage(page, text) {
    return page.locator('.page-status').getByText(text, {exact: true});
}

async function shot(page, name) {
    await page.screenshot({path: join(SCREENSHOTS, `${name}.png`), fullPage: true});
}

async function main() {
    mkdirSync(SCREENSHOTS, {recursive: true});
    const context = await chromium.launchPersistentContext(PROFILE, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: {width: 1280, height: 900},
    });
    const foreign = [];
    try {
        // The browser may talk to our own scimd and nothing else.
        await context.route('**/*', (route) => {
            const url = route.request().url();
            if (url.startsWith(`${ORIGIN}/`)) return route.continue();
            foreign.push(url);
            return route.abort('blockedbyclient');
        });
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: ORIGIN});
        const page = context.pages()[0] || await context.newPage();
        const problems = [];
        page.on('console', (msg) => {
            if (msg.type() === 'error') problems.push(msg.text());
        });
        page.on('pageerror', (error) => problems.push(String(error)));
        await run(page, problems);
        await check('the browser requested nothing outside the test server', async () => {
            assert(foreign.length === 0, `blocked: ${foreign.join(', ')}`);
        });
    } finally {
        await context.close();
    }
}

async function run(page, problems) {
    const state = {};

    await check('/admin/ carries the security headers and a CSP', async () => {
        const r = await call('GET', '/admin/');
        assert(r.status === 200, `status ${r.status}`);
        const csp = r.headers.get('content-security-policy') || '';
        for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'",
                         "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
            assert(csp.includes(d), `CSP lacks ${d}`);
        }
        assert(r.headers.get('x-content-type-options') === 'nosniff', 'nosniff missing');
        assert(r.headers.get('referrer-policy') === 'no-referrer', 'Referrer-Policy missing');
        assert(/text\/html/.test(r.headers.get('content-type')), 'wrong Content-Type');
        const js = await call('GET', '/admin/app.js');
        assert(/javascript/.test(js.headers.get('content-type')), 'app.js Content-Type');
        assert(js.headers.get('content-security-policy'), 'app.js has no CSP');
    });

    await check('/admin redirects to /admin/ and traversal is refused', async () => {
        const r = await call('GET', '/admin');
        assert(r.status === 301, `status ${r.status}`);
        assert(new URL(r.headers.get('location'), `${BASE}/admin`).pathname === '/admin/', 'Location');
        // An escaped '/' is refused for every route before any file is looked up (400); the
        // other paths reach the console's files and are not found there (404).
        for (const [path, status] of [['/admin/../CMakeLists.txt', 404],
                                      ['/admin/%2e%2e/CMakeLists.txt', 404],
                                      ['/admin/..%2fCMakeLists.txt', 400],
                                      ['/admin/nope.js', 404]]) {
            const bad = await call('GET', path);
            assert(bad.status === status, `${path} gave ${bad.status}, expected ${status}`);
        }
    });

    await check('a wrong key is refused with a clear message', async () => {
        await page.goto(`${BASE}/admin`);
        await page.getByRole('heading', {name: 'Sign in'}).waitFor();
        await page.getByLabel('Org admin key').fill('scimd_akey_thisIsNotAValidKey0000000000');
        await page.getByRole('button', {name: 'Sign in'}).click();
        const alert = page.getByRole('alert');
        await alert.waitFor();
        const text = await alert.innerText();
        assert(/not accepted/.test(text) && /401/.test(text), `message was: ${text}`);
        assert(await page.evaluate(() => sessionStorage.length) === 0, 'wrong key was stored');
        await shot(page, '01-sign-in-wrong-key');
    });

    await check('signing in with the admin key opens the tokens page', async () => {
        await page.getByLabel('Org admin key').fill(ADMIN_KEY);
        await page.getByRole('button', {name: 'Sign in'}).click();
        await page.getByRole('heading', {name: 'Service access tokens'}).waitFor();
        assert(page.url().endsWith('#/tokens'), `url ${page.url()}`);
        const stored = await page.evaluate(() => ({
            session: Object.values(sessionStorage), local: localStorage.length,
            cookies: document.cookie,
        }));
        assert(stored.session.includes(ADMIN_KEY), 'key not in sessionStorage');
        assert(stored.local === 0 && stored.cookies === '', 'key leaked beyond sessionStorage');
        await page.getByRole('button', {name: 'Sign out'}).waitFor();
    });

    await check('workspaces: create and list', async () => {
        await page.getByRole('link', {name: 'Workspaces'}).click();
        await page.getByRole('heading', {name: 'Workspaces', level: 1}).waitFor();
        await page.getByLabel('Name').fill('engineering');
        await page.getByRole('button', {name: 'Create workspace'}).click();
        await statusMessage(page, 'Workspace "engineering" created.').waitFor();
        await page.locator('td', {hasText: 'engineering'}).first().waitFor();
        const listed = await call('GET', '/api/v1/workspaces', ADMIN_KEY);
        const ws = (listed.json?.data || []).find((w) => w.name === 'engineering');
        assert(ws, 'workspace not returned by the API');
        state.workspaceId = ws.id;
    });

    await check('a duplicate workspace name shows the API error in words', async () => {
        await page.getByLabel('Name').fill('engineering');
        await page.getByRole('button', {name: 'Create workspace'}).click();
        const alert = page.getByRole('alert');
        await alert.waitFor();
        const text = await alert.innerText();
        assert(/not created/.test(text) && /409/.test(text), `message was: ${text}`);
        await shot(page, '02-workspaces');
    });

    await check('create an organization token: the secret is shown once and can be copied',
                async () => {
        await page.getByRole('link', {name: 'Tokens'}).click();
        await page.getByRole('heading', {name: 'Service access tokens'}).waitFor();
        await page.getByLabel('Name').fill('okta-production');
        await page.getByLabel('Expires', {exact: true}).selectOption('90d');
        await page.getByRole('button', {name: 'Create token'}).click();
        const dialog = page.getByRole('dialog', {name: 'Token created'});
        await dialog.waitFor();
        assert(/will not be shown again/.test(await dialog.innerText()), 'no warning');
        const secret = await dialog.getByLabel('Secret').inputValue();
        assert(secret.startsWith('scimd_osat_'), `secret ${secret.slice(0, 11)}…`);
        await dialog.getByRole('button', {name: 'Copy to clipboard'}).click();
        await dialog.getByText(/Copied|press Ctrl\+C/).waitFor();
        const copied = await page.evaluate(() => navigator.clipboard.readText().catch(() => ''));
        assert(copied === secret, 'clipboard does not hold the secret');
        await shot(page, '03-token-secret-dialog');
        await dialog.getByRole('button', {name: 'Done, I stored it'}).click();
        await dialog.waitFor({state: 'detached'});
        // A closed <dialog> leaves the accessibility tree (so the locator above is satisfied) a
        // moment before its close handler removes it from the document; wait for the removal.
        const gone = await page.waitForFunction(
            (s) => !document.documentElement.outerHTML.includes(s), secret, {timeout: 5000})
            .then(() => true, () => false);
        assert(gone, 'secret still in the page');
        await page.getByRole('cell', {name: 'okta-production', exact: true}).waitFor();
        state.orgSecret = secret;
    });

    await check('the new token works against /scim/v2/Users', async () => {
        const r = await call('GET', '/scim/v2/Users', state.orgSecret);
        assert(r.status === 200, `status ${r.status}: ${r.text.slice(0, 200)}`);
    });

    await check('create a workspace token for the new workspace', async () => {
        await page.getByLabel('Name').fill('eng-directory-sync');
        await page.getByRole('radio', {name: 'Workspace'}).check();
        await page.getByRole('combobox', {name: 'Workspace'}).selectOption({label: 'engineering'});
        await page.getByRole('button', {name: 'Create token'}).click();
        const dialog = page.getByRole('dialog', {name: 'Token created'});
        await dialog.waitFor();
        const secret = await dialog.getByLabel('Secret').inputValue();
        assert(secret.startsWith('scimd_wsat_'), 'not a workspace SAT');
        await dialog.getByRole('button', {name: 'Done, I stored it'}).click();
        const row = page.getByRole('row', {name: /eng-directory-sync/});
        await row.waitFor();
        assert(/engineering/.test(await row.innerText()), 'workspace name not shown');
        const r = await call('GET', '/scim/v2/Users', secret);
        assert(r.status === 403, `workspace SAT on SCIM gave ${r.status}`);
        await shot(page, '04-tokens');
    });

    await check('rotate: the new secret is shown once, the old one stops working', async () => {
        await page.getByRole('button', {name: 'Rotate okta-production'}).click();
        const confirm = page.getByRole('dialog', {name: /Rotate/});
        await confirm.waitFor();
        await confirm.getByRole('button', {name: 'Rotate'}).click();
        const dialog = page.getByRole('dialog', {name: 'Token rotated'});
        await dialog.waitFor();
        const secret = await dialog.getByLabel('Secret').inputValue();
        assert(secret.startsWith('scimd_osat_') && secret !== state.orgSecret, 'no new secret');
        await dialog.getByRole('button', {name: 'Done, I stored it'}).click();
        await statusMessage(page, 'Token "okta-production" rotated.').waitFor();
        assert((await call('GET', '/scim/v2/Users', state.orgSecret)).status === 401,
               'old secret still accepted');
        assert((await call('GET', '/scim/v2/Users', secret)).status === 200,
               'new secret refused');
        state.orgSecret = secret;
    });

    await check('revoke asks first: Cancel has focus, Escape keeps the token', async () => {
        const button = page.getByRole('button', {name: 'Revoke okta-production'});
        await button.focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', {name: /Revoke/});
        await dialog.waitFor();
        const focused = await page.evaluate(() => document.activeElement?.textContent);
        assert(focused === 'Cancel', `focus on ${focused}`);
        await shot(page, '05-revoke-confirm');
        await page.keyboard.press('Escape');
        await dialog.waitFor({state: 'detached'});
        const back = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
        assert(back === 'Revoke okta-production', `focus returned to ${back}`);
        assert((await call('GET', '/scim/v2/Users', state.orgSecret)).status === 200,
               'token stopped working without confirmation');
    });

    await check('revoke: confirmed, the token is refused with 401', async () => {
        await page.getByRole('button', {name: 'Revoke okta-production'}).click();
        const dialog = page.getByRole('dialog', {name: /Revoke/});
        await dialog.getByRole('button', {name: 'Revoke'}).click();
        await statusMessage(page, 'Token "okta-production" revoked.').waitFor();
        const row = page.getByRole('row', {name: /okta-production/});
        assert(/revoked/.test(await row.innerText()), 'status not shown as revoked');
        const r = await call('GET', '/scim/v2/Users', state.orgSecret);
        assert(r.status === 401, `revoked token gave ${r.status}`);
    });

    await check('audit log lists the actions, filters by action and expands details', async () => {
        await page.getByRole('link', {name: 'Audit log'}).click();
        await page.getByRole('heading', {name: 'Audit log'}).waitFor();
        await page.locator('.event').first().waitFor();
        const text = await page.locator('ol.events').innerText();
        for (const action of ['workspace.created', 'token.created', 'token.rotated',
                              'token.revoked']) {
            assert(text.includes(action), `${action} missing`);
        }
        const first = await page.locator('.event-action').first().innerText();
        assert(first === 'token.revoked', `newest event is ${first}`);
        await page.getByLabel('Action').fill('token.created');
        await page.getByRole('button', {name: 'Show events'}).click();
        await page.getByText(/Showing 2 of 2 matching events/).waitFor();
        const summary = page.locator('.event summary').first();
        await summary.focus();
        await page.keyboard.press('Enter');
        const details = page.locator('.event details[open] dl').first();
        await details.waitFor();
        assert(/Request ID|Actor/.test(await details.innerText()), 'details not shown');
        await shot(page, '06-audit');
    });

    await check('audit log filters by workspace through the API', async () => {
        await page.getByLabel('Action').fill('');
        await page.getByRole('combobox', {name: 'Workspace'}).selectOption({label: 'engineering'});
        await page.getByRole('button', {name: 'Show events'}).click();
        await page.waitForFunction(() => /Showing|No events/.test(
            document.querySelector('.summary')?.textContent || ''));
        const actions = await page.locator('.event-action').allInnerTexts();
        assert(actions.length > 0, 'no events for the workspace');
        assert(!actions.includes('token.rotated'), 'org-level event in a workspace view');
    });

    await check('narrow window: no horizontal scrolling, tables become cards', async () => {
        await page.setViewportSize({width: 375, height: 800});
        await page.getByRole('link', {name: 'Tokens'}).click();
        await page.locator('.token-name', {hasText: 'eng-directory-sync'}).waitFor();
        const widths = await page.evaluate(() => ({
            scroll: document.documentElement.scrollWidth, view: window.innerWidth,
            thead: getComputedStyle(document.querySelector('table.data thead')).position,
        }));
        assert(widths.scroll <= widths.view + 1, `page is ${widths.scroll}px wide`);
        assert(widths.thead === 'absolute', 'table header not collapsed');
        await shot(page, '07-tokens-narrow');
        await page.setViewportSize({width: 1280, height: 900});
    });

    await check('keyboard: the skip link comes before the section links, focus is visible',
                async () => {
        await page.goto(`${BASE}/admin/#/workspaces`);
        await page.getByRole('heading', {name: 'Workspaces', level: 1}).waitFor();
        await page.getByRole('link', {name: 'Tokens'}).focus();
        await page.keyboard.press('Shift+Tab');
        const skip = await page.evaluate(() => ({
            text: document.activeElement?.textContent,
            top: document.activeElement?.getBoundingClientRect().top,
        }));
        assert(skip.text === 'Skip to content', `tab stop before Tokens: ${skip.text}`);
        assert(skip.top >= 0, 'skip link stays off screen when focused');
        await page.keyboard.press('Tab');
        const next = await page.evaluate(() => ({
            text: document.activeElement?.textContent,
            outline: getComputedStyle(document.activeElement).outlineStyle,
        }));
        assert(next.text === 'Tokens', `tab stop after the skip link: ${next.text}`);
        assert(next.outline !== 'none', 'focused link has no visible outline');
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Enter');
        const target = await page.evaluate(() => document.activeElement?.id);
        assert(target === 'main', `skip link moved focus to ${target}`);
        assert(page.url().endsWith('#/workspaces'), `skip link changed the page: ${page.url()}`);
    });

    await check('sign-out forgets the key', async () => {
        await page.getByRole('button', {name: 'Sign out'}).click();
        await page.getByRole('heading', {name: 'Sign in'}).waitFor();
        assert(await page.evaluate(() => sessionStorage.length) === 0, 'key kept after sign-out');
    });

    await check('a key revoked while signed in sends the user back to sign-in', async () => {
        // Start from a freshly loaded sign-in page, whatever the steps before left on screen.
        await page.goto(`${BASE}/admin/`);
        await page.getByRole('heading', {name: 'Sign in'}).waitFor();
        await page.getByLabel('Org admin key').fill(SECOND_ADMIN_KEY);
        await page.getByRole('button', {name: 'Sign in'}).click();
        await page.getByRole('heading', {name: 'Service access tokens'}).waitFor();
        // Let the page finish loading its list first: a list request that met the revoked key
        // would already send the user to sign-in, before the click below.
        await page.getByRole('cell', {name: 'okta-production', exact: true}).waitFor();
        const me = await call('GET', '/api/v1/whoami', SECOND_ADMIN_KEY);
        const revoked = await call('POST', `/api/v1/tokens/${me.json.credential_id}/revoke`,
                                   ADMIN_KEY);
        assert(revoked.status === 200 || revoked.status === 204, `revoke gave ${revoked.status}`);
        await page.getByRole('link', {name: 'Workspaces'}).click();
        await page.getByRole('heading', {name: 'Sign in'}).waitFor();
        const text = await page.getByRole('alert').innerText();
        assert(/stopped working/.test(text), `message was: ${text}`);
        assert(await page.evaluate(() => sessionStorage.length) === 0, 'revoked key kept');
    });

    await check('an organization SAT is not accepted as an admin key', async () => {
        const issued = await call('POST', '/api/v1/tokens', ADMIN_KEY,
                                  {name: 'not-an-admin', level: 'org'});
        assert(issued.status === 201, `create gave ${issued.status}`);
        await page.getByLabel('Org admin key').fill(issued.json.secret);
        await page.getByRole('button', {name: 'Sign in'}).click();
        const alert = page.getByRole('alert');
        await alert.filter({hasText: 'needs an org admin key'}).waitFor();
    });

    await check('no script errors or CSP violations in the browser console', async () => {
        // The deliberate wrong-key and revoked-key requests log their 401s; nothing else may.
        const unexpected = problems.filter((p) => !/status of 401|status of 409/.test(p));
        assert(unexpected.length === 0, unexpected.join(' | '));
    });
}

const timeout = setTimeout(() => {
    console.log('FAIL the browser test did not finish within 5 minutes');
    console.log(`browser: ${passed} passed, ${failed + 1} failed`);
    process.exit(1);
}, 5 * 60 * 1000);

try {
    await main();
} catch (error) {
    failed += 1;
    console.log(`FAIL browser session: ${String(error?.message || error).split('\n')[0]}`);
}
clearTimeout(timeout);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
