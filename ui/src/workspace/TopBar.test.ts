import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Agent, AgentSummary } from '../api';
import { agent, agentSummary } from '../testing/fixtures';
import TopBar from './TopBar.svelte';

function setup(shown: Agent = agent(), summary: AgentSummary | null = null) {
  const onToggleStatus = vi.fn(async () => {});
  const onSetStatus = vi.fn(async () => {});
  render(TopBar, {
    agent: shown,
    connection: 'online',
    reasons: ['Break', 'Lunch'],
    summary,
    onToggleStatus,
    onSetStatus,
    onSignOut: vi.fn(async () => {}),
  });
  return { onToggleStatus, onSetStatus, user: userEvent.setup() };
}

describe('TopBar', () => {
  it('sets Not Ready with the reason chosen from the status menu', async () => {
    const { onSetStatus, onToggleStatus, user } = setup(agent({ status: 'ready' }));
    const menu = screen.getByRole('combobox', { name: /Not Ready reason/ });
    expect(menu).toBe(screen.getByTestId('status-reason'));
    expect(menu).toHaveValue('ready');
    expect(
      screen.getAllByRole('option').map((option) => option.textContent?.trim()),
    ).toEqual(['Ready', 'Not Ready', 'Not Ready — Break', 'Not Ready — Lunch']);

    await user.selectOptions(menu, 'Lunch');
    expect(onSetStatus).toHaveBeenCalledExactlyOnceWith('notReady', 'Lunch');
    // The agent passed in did not change (as when the hub refuses): the menu shows it again.
    await waitFor(() => expect(menu).toHaveValue('ready'));
    await user.selectOptions(menu, 'notReady');
    expect(onSetStatus).toHaveBeenLastCalledWith('notReady', null);
    expect(onToggleStatus).not.toHaveBeenCalled();
  });

  it('shows the reason the hub set after an offer timed out, and Ready from the menu', async () => {
    const { onSetStatus, onToggleStatus, user } = setup(
      agent({ status: 'notReady', statusReason: 'Not responding' }),
    );
    const toggle = screen.getByTestId('status-toggle');
    expect(toggle).toHaveTextContent('Not Ready — Not responding');
    expect(toggle).toHaveAttribute('data-status', 'notReady');
    // Not a reason the agent can pick, but the menu still shows where the agent stands.
    const menu = screen.getByTestId('status-reason');
    expect(menu).toHaveValue('Not responding');
    expect(screen.getByRole('option', { name: 'Not Ready — Not responding' })).toBeDisabled();

    await user.selectOptions(menu, 'Ready');
    expect(onSetStatus).toHaveBeenCalledExactlyOnceWith('ready', null);

    await user.click(toggle);
    expect(onToggleStatus).toHaveBeenCalledTimes(1);
  });

  it('reads as the current status, with its dot, and says that activating it changes it', async () => {
    const { onToggleStatus, user } = setup(agent({ status: 'notReady', statusReason: 'Lunch' }));
    const toggle = screen.getByRole('button', { name: /^Current SMS status: Not Ready — Lunch\./ });
    expect(toggle).toBe(screen.getByTestId('status-toggle'));
    expect(toggle).toHaveAccessibleName(
      'Current SMS status: Not Ready — Lunch. Activate to change it to Ready.',
    );
    // The pill says "Status:" before the state, as a state and not a command.
    const prefix = screen.getByTestId('status-prefix');
    expect(prefix).toHaveTextContent('Status:');
    expect(prefix.parentElement).toContainElement(toggle);
    expect(toggle.querySelector('.dot'), 'the state indicator').not.toBeNull();
    // The words of the pill are a click on the status too.
    await user.click(prefix);
    expect(onToggleStatus).toHaveBeenCalledTimes(1);
  });

  it('names the change to Not Ready when Ready', () => {
    setup(agent({ status: 'ready' }));
    expect(screen.getByTestId('status-toggle')).toHaveAccessibleName(
      'Current SMS status: Ready. Activate to change it to Not Ready.',
    );
  });

  it('shows Ready without a stale reason', () => {
    setup(agent({ status: 'ready', statusReason: 'Lunch' }));
    expect(screen.getByTestId('status-toggle')).toHaveTextContent(/^Ready$/);
  });

  it('shows today\'s handled count and average handle time', () => {
    setup(agent(), agentSummary({ handled: 3, averageHandleMs: 245_400 }));
    expect(screen.getByTestId('kpi-summary')).toHaveTextContent('Today: 3 handled · AHT 4:05');
  });

  it('shows no average before anything was handled today', () => {
    setup(agent(), agentSummary({ handled: 0, averageHandleMs: null }));
    expect(screen.getByTestId('kpi-summary')).toHaveTextContent('Today: 0 handled · AHT –:––');
  });

  it('has no KPI summary until it is loaded', () => {
    setup(agent(), null);
    expect(screen.queryByTestId('kpi-summary')).toBeNull();
  });
});
