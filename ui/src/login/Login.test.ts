import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiFailure, noPolicy } from '../api';
import { fakeApi, session } from '../testing/fixtures';
import Login from './Login.svelte';

describe('Login', () => {
  it('signs in with the login and password and hands over the session', async () => {
    const { api } = fakeApi('browser');
    const onSignedIn = vi.fn();
    render(Login, { api, onSignedIn });
    const user = userEvent.setup();

    expect(screen.queryByTestId('login-hub-url')).toBeNull();
    await user.type(screen.getByTestId('login-user'), 'ana');
    await user.type(screen.getByTestId('login-password'), 'secret');
    await user.click(screen.getByTestId('login-submit'));

    expect(api.login).toHaveBeenCalledWith({ hubUrl: null, login: 'ana', password: 'secret' });
    expect(onSignedIn).toHaveBeenCalledWith(session());
    expect(screen.queryByTestId('login-error')).toBeNull();
  });

  it('asks the desktop for the hub URL, with the local hub as default', async () => {
    const { api } = fakeApi('desktop');
    render(Login, { api, onSignedIn: vi.fn() });
    const user = userEvent.setup();

    const hubUrl = screen.getByTestId('login-hub-url');
    expect(hubUrl).toHaveValue('http://127.0.0.1:8080');
    await user.clear(hubUrl);
    await user.type(hubUrl, 'https://hub.example.com');
    await user.type(screen.getByTestId('login-user'), 'ana');
    await user.type(screen.getByTestId('login-password'), 'pw{Enter}');

    expect(api.login).toHaveBeenCalledWith({
      hubUrl: 'https://hub.example.com',
      login: 'ana',
      password: 'pw',
    });
  });

  it('shows the failure message and stays on the form', async () => {
    const { api } = fakeApi('browser');
    api.login.mockRejectedValueOnce(new ApiFailure('unauthorized', 'Wrong login or password.'));
    const onSignedIn = vi.fn();
    render(Login, { api, onSignedIn });
    const user = userEvent.setup();

    await user.type(screen.getByTestId('login-user'), 'ana');
    await user.type(screen.getByTestId('login-password'), 'nope');
    await user.click(screen.getByTestId('login-submit'));

    expect(await screen.findByTestId('login-error')).toHaveTextContent('Wrong login or password.');
    expect(onSignedIn).not.toHaveBeenCalled();
    expect(screen.getByTestId('login-submit')).toBeEnabled();
  });

  it('puts the cursor in the login field when the sign-in screen appears', () => {
    render(Login, { api: fakeApi('browser').api, onSignedIn: vi.fn() });
    expect(screen.getByTestId('login-user')).toHaveFocus();
  });

  it('on the desktop, in the login field when the hub URL is known, else in the hub URL', () => {
    const { unmount } = render(Login, { api: fakeApi('desktop').api, onSignedIn: vi.fn() });
    expect(screen.getByTestId('login-hub-url')).not.toHaveValue('');
    expect(screen.getByTestId('login-user')).toHaveFocus();
    unmount();

    localStorage.setItem('parley.hubUrl', '');
    try {
      render(Login, { api: fakeApi('desktop').api, onSignedIn: vi.fn() });
      expect(screen.getByTestId('login-hub-url')).toHaveFocus();
    } finally {
      localStorage.removeItem('parley.hubUrl');
    }
  });

  it('does not call the hub without a login and password', async () => {
    const { api } = fakeApi('browser');
    render(Login, { api, onSignedIn: vi.fn() });
    await userEvent.setup().click(screen.getByTestId('login-submit'));
    expect(screen.getByTestId('login-error')).toHaveTextContent('Enter your login and password.');
    expect(api.login).not.toHaveBeenCalled();
  });

  it("fills in the admin's hub and, when locked, lets no other be typed", async () => {
    const { api } = fakeApi('desktop');
    api.desktopPolicy.mockResolvedValue({
      ...noPolicy,
      hubUrl: 'https://hub.example.com',
      hubUrlLocked: true,
    });
    localStorage.setItem('parley.hubUrl', 'https://elsewhere.example.com');
    try {
      render(Login, { api, onSignedIn: vi.fn() });
      const user = userEvent.setup();
      const hubUrl = screen.getByTestId('login-hub-url');
      await waitFor(() => expect(hubUrl).toHaveValue('https://hub.example.com'));
      expect(hubUrl).toHaveAttribute('readonly');
      expect(screen.getByTestId('login-hub-url-locked')).toHaveTextContent('Set by your admin.');
      await user.type(hubUrl, 'x');
      expect(hubUrl).toHaveValue('https://hub.example.com');
    } finally {
      localStorage.removeItem('parley.hubUrl');
    }
  });

  it("offers the admin's hub unlocked, where the agent has not signed in elsewhere", async () => {
    const { api } = fakeApi('desktop');
    api.desktopPolicy.mockResolvedValue({ ...noPolicy, hubUrl: 'https://hub.example.com' });
    render(Login, { api, onSignedIn: vi.fn() });
    const hubUrl = screen.getByTestId('login-hub-url');
    await waitFor(() => expect(hubUrl).toHaveValue('https://hub.example.com'));
    expect(hubUrl).not.toHaveAttribute('readonly');
    expect(screen.queryByTestId('login-hub-url-locked')).toBeNull();
  });

  it('says when the policy file could not be used', async () => {
    const { api } = fakeApi('desktop');
    api.desktopPolicy.mockResolvedValue({
      ...noPolicy,
      path: '/etc/parley/desktop.toml',
      problem: 'the desktop policy /etc/parley/desktop.toml is not valid: invalid type',
    });
    render(Login, { api, onSignedIn: vi.fn() });
    expect(await screen.findByTestId('login-policy-problem')).toHaveTextContent(
      "safe defaults apply: the desktop policy /etc/parley/desktop.toml is not valid",
    );
    expect(screen.getByTestId('login-hub-url')).toHaveValue('http://127.0.0.1:8080');
  });

  it('has no policy in the browser', () => {
    const { api } = fakeApi('browser');
    render(Login, { api, onSignedIn: vi.fn() });
    expect(api.desktopPolicy).not.toHaveBeenCalled();
  });

  it('offers "Stay signed in" only where the admin allows it', async () => {
    const { api } = fakeApi('desktop');
    api.desktopPolicy.mockResolvedValue({ ...noPolicy, allowStaySignedIn: true });
    render(Login, { api, onSignedIn: vi.fn() });
    const user = userEvent.setup();
    const stay = await screen.findByTestId('login-stay-signed-in');
    expect(stay).not.toBeChecked();
    await user.click(stay);
    await user.type(screen.getByTestId('login-user'), 'ana');
    await user.type(screen.getByTestId('login-password'), 'pw{Enter}');
    expect(api.login).toHaveBeenCalledWith({
      hubUrl: 'http://127.0.0.1:8080',
      login: 'ana',
      password: 'pw',
      staySignedIn: true,
    });
  });

  it('has no "Stay signed in" without the admin\'s leave', async () => {
    const { api } = fakeApi('desktop');
    render(Login, { api, onSignedIn: vi.fn() });
    await waitFor(() => expect(api.desktopPolicy).toHaveBeenCalled());
    expect(screen.queryByTestId('login-stay-signed-in')).toBeNull();
  });
});
