// The admin REST API client (contract: api/openapi.json). Every failure becomes an ApiError
// whose message is a sentence a person can act on.

const KEY_STORAGE = 'scimd.adminKey';

// The admin key lives in sessionStorage only: it disappears with the tab and is never written to
// localStorage, cookies or the URL.
export const session = {
    key() { return window.sessionStorage.getItem(KEY_STORAGE); },
    save(key) { window.sessionStorage.setItem(KEY_STORAGE, key); },
    clear() { window.sessionStorage.removeItem(KEY_STORAGE); },
};

export class ApiError extends Error {
    constructor(status, message, code) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code || null;
    }
}

const STATUS_WORDS = {
    400: 'The server refused the request as invalid.',
    401: 'The key was not accepted: it is wrong, expired or revoked.',
    403: 'This key is not allowed to do that.',
    404: 'Not found: it may have been deleted, or belongs to another organization.',
    409: 'That conflicts with the current state (for example a name already in use).',
    413: 'The request is too large.',
    415: 'The server did not accept the request format.',
    429: 'Too many failed attempts from this address. Wait and try again.',
    500: 'The server hit an internal error. Try again; if it persists, check the server log.',
    503: 'The server is unavailable or shutting down. Try again shortly.',
};

function describe(status, body, retryAfter) {
    // The admin API answers {"error": {...}}; SCIM endpoints answer {"detail": ...}.
    const detail = body && (body.error?.message || body.detail);
    let text = detail ? capitalise(detail) : (STATUS_WORDS[status] || `The server answered HTTP ${status}.`);
    if (status === 429 && retryAfter) {
        text += ` Try again in ${retryAfter} seconds.`;
    }
    return `${text} (HTTP ${status})`;
}

function capitalise(text) {
    const sentence = text.charAt(0).toUpperCase() + text.slice(1);
    return /[.!?]$/.test(sentence) ? sentence : sentence + '.';
}

let onUnauthorized = null;
// Called when a signed-in request gets 401: the key was revoked or expired meanwhile.
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

// Sends one request. `key` defaults to the stored admin key. Returns the parsed JSON body (or
// null for an empty one); throws ApiError for any failure, network errors included.
export async function request(method, path, {body, key, quiet401 = false} = {}) {
    const headers = {Accept: 'application/json'};
    const credential = key ?? session.key();
    if (credential) headers.Authorization = `Bearer ${credential}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    let response;
    try {
        response = await fetch(path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            cache: 'no-store',
            credentials: 'omit',
        });
    } catch (e) {
        throw new ApiError(0, 'Could not reach the server. Check that scimd is running and the network is up.');
    }

    const text = await response.text();
    let parsed = null;
    if (text) {
        try { parsed = JSON.parse(text); } catch { parsed = null; }
    }
    if (!response.ok) {
        const error = new ApiError(response.status,
                                   describe(response.status, parsed, response.headers.get('Retry-After')),
                                   parsed?.error?.code);
        if (response.status === 401 && !quiet401 && onUnauthorized) onUnauthorized(error);
        throw error;
    }
    if (text && parsed === null) {
        throw new ApiError(response.status, 'The server sent a response the console cannot read.');
    }
    return parsed;
}

const enc = encodeURIComponent;

export const api = {
    whoami: (key) => request('GET', '/api/v1/whoami', {key, quiet401: true}),
    listTokens: () => request('GET', '/api/v1/tokens'),
    createToken: (body) => request('POST', '/api/v1/tokens', {body}),
    rotateToken: (id, body) => request('POST', `/api/v1/tokens/${enc(id)}/rotate`, {body}),
    revokeToken: (id) => request('POST', `/api/v1/tokens/${enc(id)}/revoke`),
    listWorkspaces: () => request('GET', '/api/v1/workspaces'),
    createWorkspace: (name) => request('POST', '/api/v1/workspaces', {body: {name}}),
    auditPage: (params) => {
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(params)) {
            if (value !== undefined && value !== null && value !== '') query.set(name, value);
        }
        return request('GET', `/v2/audit-logs?${query}`);
    },
};
