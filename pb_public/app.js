// Entry point: a hash router that mounts one view module at a time.
//
//   #/            sign-in (phone and last name)
//   #/code        the code sent by SMS
//   #/home        sessions, assessments, action items
//   #/room/{id}   a live therapy session
//
// Each view exports mount(root, params) and may return a function that
// unmounts it (closing subscriptions and timers).
import { pb, onSignedOut } from "./api.js";
import "./components/flash-message.js";
import "./components/connection-status.js";
import "./components/compose-box.js";

const routes = [
  { pattern: /^#?\/?$/, load: () => import("./views/sign-in.js"), guest: true },
  { pattern: /^#\/code$/, load: () => import("./views/code.js"), guest: true },
  { pattern: /^#\/home$/, load: () => import("./views/home.js") },
  { pattern: /^#\/room\/([a-z0-9]+)$/, load: () => import("./views/room.js") },
];

const flashKey = "hearth.flash";
let unmount = null;
let mountCount = 0;

/** Shows message on the next screen, e.g. why the person was sent there. */
export function flash(message) {
  sessionStorage.setItem(flashKey, message);
}

/** Goes to a route, optionally with a message for the next screen. */
export function navigate(hash, message) {
  if (message) {
    flash(message);
  }
  if (location.hash === hash) {
    show();
  } else {
    location.hash = hash;
  }
}

async function show() {
  const mounted = ++mountCount;
  const hash = location.hash || "#/";
  let route = routes.find((r) => r.pattern.test(hash));
  let params = route ? hash.match(route.pattern).slice(1) : [];
  if (!route) {
    route = routes[0];
  }

  const signedIn = pb.authStore.isValid;
  if (!route.guest && !signedIn) {
    history.replaceState(null, "", "#/");
    route = routes[0];
    params = [];
  } else if (route.guest && signedIn) {
    history.replaceState(null, "", "#/home");
    route = routes[2];
    params = [];
  }

  const module = await route.load();
  if (mounted !== mountCount) {
    return;
  }
  if (unmount) {
    await unmount();
    unmount = null;
  }
  const root = document.getElementById("view");
  root.replaceChildren();
  const message = sessionStorage.getItem(flashKey);
  sessionStorage.removeItem(flashKey);
  document.querySelector("flash-message").show(message || "");
  unmount = (await module.mount(root, ...params)) || null;

  // Put keyboard and screen reader focus on the new screen's heading.
  const heading = root.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: false });
  }
}

onSignedOut((message) => {
  navigate("#/", message || "Your sign-in has ended. Please sign in again.");
});

window.addEventListener("hashchange", show);
show();
