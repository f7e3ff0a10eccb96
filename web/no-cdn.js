// Runs before TeamsJS (imports run in order): refuse its CDN fetch of valid origins.
const realFetch = window.fetch.bind(window);
window.fetch = (input, init) => {
  const url = typeof input === "string" ? input : (input && input.url) || String(input);
  if (/^https:\/\/res\.cdn\.office\.net\//.test(url)) {
    return Promise.reject(new TypeError("the portfolio tab loads nothing from a CDN"));
  }
  return realFetch(input, init);
};
