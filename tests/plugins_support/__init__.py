"""Helpers for tests that install plugins into throwaway environments and run real servers."""
